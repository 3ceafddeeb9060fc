#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What a command executes: a file by path, or a name looked up in `PATH` the way `execvp` does.
enum Program: Sendable, Hashable {
    case path(String)
    case name(String)

    /// A name with a slash is a path, as the shell and `execvp` treat it.
    init(_ word: String) {
        self = word.contains("/") ? .path(word) : .name(word)
    }

    /// The word as the user wrote it; also the child's `argv[0]`.
    var text: String {
        switch self {
        case .path(let path): path
        case .name(let name): name
        }
    }
}

/// A child that could not be started: `posix_spawn` reported `code` (ENOENT, EACCES, ENOEXEC, EAGAIN, …).
struct SpawnFailure: Error, Sendable, CustomStringConvertible {
    let code: Int32
    let program: String

    var description: String { String(cString: strerror(code)) }
}
