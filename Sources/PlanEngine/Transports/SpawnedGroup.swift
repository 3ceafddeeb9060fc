import CPosixSpawn

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A child started as the leader of a new process group, with its output on pipes.
///
/// `cps_spawn` (a `vfork`, as a shell starts a command) costs about what a shell's fork does, whatever
/// planrun's own size; the child starts with an empty signal mask, every signal at its default action (planrun
/// ignores SIGPIPE, and SIGINT/SIGTERM while its trap is set) and no descriptor but 0, 1 and 2.
struct SpawnedGroup {
    let pid: pid_t
    /// Read ends of the child's stdout and stderr; stdout is -1 when it goes to a file.
    let stdout: Int32
    let stderr: Int32
    /// Write end of the child's stdin when it is held open, else -1 (stdin is `/dev/null`).
    let stdinWriter: Int32
    /// planrun's own copies of the write ends of the child's stdout and stderr pipes, with `holdOutput`:
    /// while they are open the pipes cannot reach end-of-file, so the leader's exit wakes its watcher once
    /// (the pidfd) instead of twice (the pipes' hang-up a moment before the pidfd). The watcher closes them
    /// when the leader has exited (`GroupSupervisor`).
    let outputWriters: [Int32]

    /// Starts `program` with `arguments`; stdin is `/dev/null`, or a pipe that stays open when
    /// `holdStandardInput` is set (its end-of-file then tells the child that planrun is gone; the write end
    /// is non-blocking, for an upload fed from the poll loop). `stdoutFile`, when given, receives the child's
    /// stdout directly (a download), instead of a pipe. `environment` is added to planrun's own (a name given
    /// there replaces planrun's value). `holdOutput` keeps the output pipes' write ends (`outputWriters`).
    static func spawn(
        _ program: Program, arguments: [String], holdStandardInput: Bool, stdoutFile: Int32? = nil,
        environment: [(name: String, value: String)] = [], holdOutput: Bool = false
    ) throws(SpawnFailure) -> SpawnedGroup {
        var opened: [Int32] = []
        func fail(_ code: Int32) -> SpawnFailure {
            for fd in opened { close(fd) }
            return SpawnFailure(code: code, program: program.text)
        }
        func makePipe() throws(SpawnFailure) -> (read: Int32, write: Int32) {
            var fds: [Int32] = [-1, -1]
            guard cps_pipe_cloexec(&fds) == 0 else { throw fail(errno) }
            opened += fds
            return (fds[0], fds[1])
        }
        let out: (read: Int32, write: Int32)
        if let stdoutFile { out = (-1, stdoutFile) } else { out = try makePipe() }
        let err = try makePipe()
        let input: (read: Int32, write: Int32)
        if holdStandardInput {
            input = try makePipe()
            _ = fcntl(input.write, F_SETFL, fcntl(input.write, F_GETFL) | O_NONBLOCK)
        } else if Self.nullInput >= 0 {
            input = (Self.nullInput, -1)
        } else {
            let null = open("/dev/null", O_RDONLY | O_CLOEXEC)
            guard null >= 0 else { throw fail(errno) }
            opened.append(null)
            input = (null, -1)
        }

        let argv = ([program.text] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        // Only a command with secrets gets an environment of its own; the rest share planrun's, uncopied.
        var extra: [UnsafeMutablePointer<CChar>?] = []
        if !environment.isEmpty {
            let names = Set(environment.map { $0.name + "=" })
            var inherited = environ
            while let entry = inherited.pointee {
                let text = String(cString: entry)
                if !names.contains(where: text.hasPrefix) { extra.append(strdup(entry)) }
                inherited += 1
            }
            extra += environment.map { strdup($0.name + "=" + $0.value) }
            extra.append(nil)
        }
        defer { for pointer in extra { free(pointer) } }
        var pid: pid_t = 0
        let search: Int32 = if case .name = program { 1 } else { 0 }
        let code: Int32 = extra.withUnsafeMutableBufferPointer { envp in
            let env = envp.isEmpty ? environ : envp.baseAddress!
            return cps_spawn(&pid, program.text, search, argv, env, input.read, out.write, err.write)
        }
        guard code == 0 else { throw fail(code) }
        // The child has its copies; ours are closed now or, held, once the leader has exited.
        var writers = [err.write]
        if stdoutFile == nil { writers.append(out.write) }
        if !holdOutput {
            for fd in writers { close(fd) }
            writers = []
        }
        if input.read != Self.nullInput { close(input.read) }
        return SpawnedGroup(pid: pid, stdout: out.read, stderr: err.read, stdinWriter: input.write, outputWriters: writers)
    }

    /// `/dev/null` for reading, opened once per process (close-on-exec) and shared by every spawn whose stdin
    /// it is: opening and closing it per command was two of a trivial step's system calls. -1 when it could
    /// not be opened; each spawn then opens its own.
    private static let nullInput = open("/dev/null", O_RDONLY | O_CLOEXEC)
}
