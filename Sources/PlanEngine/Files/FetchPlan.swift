#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One `fetch` on one node: the node's file is streamed on the command's stdout straight into a temporary
/// file beside `dest` (nothing of it passes through planrun's memory), which is flushed and renamed into
/// place only when the whole file arrived; a failed or interrupted fetch leaves `dest` as it was.
struct FetchPlan: Sendable {
    /// The path on the node.
    let src: String
    /// The local path (relative to the current directory).
    let dest: String
    let temporary: String

    var shown: String { "fetch \(src) to \(dest)" }

    static func prepare(_ fetch: FetchAction, scope: Value.Object) throws(FileStepFailure) -> FetchPlan {
        let src: String
        let dest: String
        do {
            src = try fetch.src.evaluate(in: scope).interpolationText
            dest = try fetch.dest.evaluate(in: scope).interpolationText
        } catch { throw FileStepFailure(.validation, error.message) }
        guard src.hasPrefix("/") else { throw FileStepFailure(.validation, "fetch src '\(src)' must be an absolute path") }
        guard !dest.isEmpty, !dest.hasSuffix("/") else {
            throw FileStepFailure(.validation, "fetch dest '\(dest)' must name a file")
        }
        return FetchPlan(src: src, dest: dest, temporary: LocalFiles.temporaryName(beside: dest))
    }

    /// Creates `dest`'s directory; the request then writes into the temporary file.
    func request(timeout: Double, grace: Double, outputLimit: Int) throws(FileStepFailure) -> CommandRequest {
        try LocalFiles.makeParents(of: dest)
        return CommandRequest(
            command: .argv(["cat", "--", src]), timeout: timeout, grace: grace, outputLimit: outputLimit,
            download: temporary)
    }

    /// Puts the fetched file in place; whether `dest` changed (false when it already held these bytes).
    func complete() throws(FileStepFailure) -> Bool {
        if LocalFiles.sameContent(temporary, dest) {
            discard()
            return false
        }
        try LocalFiles.install(temporary, as: dest)
        return true
    }

    /// Removes the temporary file (after a failure; harmless when it is gone).
    func discard() {
        unlink(temporary)
    }
}
