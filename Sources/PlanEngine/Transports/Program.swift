#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension Duration {
    /// The duration in seconds, as the result and its records write it.
    var inSeconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

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

/// A child that could not be started: `posix_spawn` reported `code` (ENOENT, EACCES, ENOEXEC, EAGAIN, …), or
/// ECANCELED when the task was cancelled before the spawn.
struct SpawnFailure: Error, Sendable, CustomStringConvertible {
    let code: Int32
    let program: String

    var description: String { String(cString: strerror(code)) }
}

extension SpawnFailure {
    /// Nothing was started because the run was interrupted first.
    var isCancellation: Bool { code == ECANCELED }

    /// The arguments (or the environment) were too big for the kernel: the command, not the node, is wrong.
    var isArgumentListTooLong: Bool { code == E2BIG }

    /// What a step reports when its command was too long to start: a command failure, never a connection one.
    var tooLongOutcome: CommandOutcome {
        let message = "cannot start \(program): the command line is too long (\(self)); "
            + "send large values as a file with copy: instead of putting them into the command"
        return CommandOutcome(exitCode: nil, stderr: "planrun: \(message)\n", failure: TransportFailure(.command, message))
    }
}
