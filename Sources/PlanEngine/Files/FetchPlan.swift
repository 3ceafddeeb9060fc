#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One `fetch` on one node: the node's file is streamed on the command's stdout straight into a temporary
/// file beside `dest` (nothing of it passes through planrun's memory), which is flushed and renamed into
/// place only when the whole file arrived; a failed or interrupted fetch leaves `dest` as it was.
struct FetchPlan: StepAction {
    /// The path on the node.
    let src: String
    /// The local path (relative to the current directory).
    let dest: String
    let temporary: String

    var shown: String { "fetch \(src) to \(dest)" }

    static func prepare(_ fetch: FetchAction, scope: Value.Object) throws(StepFailure) -> FetchPlan {
        let src: String
        let dest: String
        do {
            src = try fetch.src.evaluate(in: scope).interpolationText
            dest = try fetch.dest.evaluate(in: scope).interpolationText
        } catch { throw StepFailure(.validation, error.message) }
        guard src.hasPrefix("/") else { throw StepFailure(.validation, "fetch src '\(src)' must be an absolute path") }
        guard !dest.isEmpty, !dest.hasSuffix("/") else {
            throw StepFailure(.validation, "fetch dest '\(dest)' must name a file")
        }
        return FetchPlan(src: src, dest: dest, temporary: LocalFiles.temporaryName(beside: dest))
    }

    /// Creates `dest`'s directory; the request then writes into the temporary file.
    func request(
        timeout: Double, grace: Double, outputLimit: Int, onLine: (@Sendable (String) -> Void)? = nil
    ) throws(StepFailure) -> CommandRequest {
        try LocalFiles.makeParents(of: dest)
        return CommandRequest(
            command: .argv(["cat", "--", src]), timeout: timeout, grace: grace, outputLimit: outputLimit,
            download: temporary)
    }

    /// Puts the fetched file in place; whether `dest` changed (false when it already held these bytes).
    func finish(_ outcome: CommandOutcome) -> Result<Bool, StepFailure> {
        if LocalFiles.sameContent(temporary, dest) {
            cleanUp()
            return .success(false)
        }
        do { try LocalFiles.install(temporary, as: dest) } catch { return .failure(error) }
        return .success(true)
    }

    /// Removes the temporary file (after a failure; harmless when it is gone).
    func cleanUp() {
        unlink(temporary)
    }
}
