#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import PlanCore

/// A private (0700) directory for the runs's ssh control sockets, short enough for a Unix socket path.
///
/// Control sockets let anyone who can open them run commands on the node, so they never go in a shared
/// place. The path stays under `/tmp` whatever `TMPDIR` says: socket paths are limited to 107 bytes.
public struct SSHControlDirectory: Sendable {
    public let path: String

    /// Creates `/tmp/planrun-ssh-XXXXXX`, with an `owner` file naming this process; first sweeps the
    /// directories of runs that died without removing theirs (`sweepStale`).
    /// - Throws: `TransportFailure` of kind `connection` when the directory cannot be made.
    public static func create() throws(TransportFailure) -> SSHControlDirectory {
        sweepStale()
        var template = Array("/tmp/planrun-ssh-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) != nil }
        guard made else {
            throw TransportFailure(.connection, "cannot create a directory for ssh control sockets (errno \(errno))")
        }
        let directory = SSHControlDirectory(path: String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self))
        let owner = open(directory.path + "/owner", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if owner >= 0 {
            let text = "\(getpid())\n"
            _ = text.withCString { write(owner, $0, strlen($0)) }
            close(owner)
        }
        return directory
    }

    /// Removes the control directories (and stops the masters) of planrun runs that are gone: `kill -9` or a
    /// crash skips `remove()`, and a master would keep its connection for `ControlPersist`. Only this user's
    /// directories whose `owner` names a process that no longer exists; a master still listening on a socket
    /// there is told to exit (`ssh -O exit`).
    static func sweepStale(in parent: String = "/tmp") {
        var stale: [String] = []
        for name in DirectoryListing.names(in: parent) {
            guard name.hasPrefix("planrun-ssh-") else { continue }
            let path = parent + "/" + name
            var info = stat()
            guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR, info.st_uid == getuid() else { continue }
            guard let pid = ownerPID(of: path), pid != getpid(), kill(pid, 0) != 0, errno == ESRCH else { continue }
            stale.append(path)
        }
        for path in stale {
            let directory = SSHControlDirectory(path: path)
            for socket in directory.entries() where socket != "owner" { exitMaster(at: path + "/" + socket) }
            directory.remove()
        }
    }

    private static func ownerPID(of directory: String) -> pid_t? {
        let fd = open(directory + "/owner", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = read(fd, &buffer, buffer.count)
        guard count > 0 else { return nil }
        return pid_t(String(decoding: buffer[..<count], as: UTF8.self).trimmingWhitespace)
    }

    /// `ssh -O exit` on one control socket, waited for (it only talks to the local master).
    private static func exitMaster(at socket: String) {
        let argv = (["ssh", "-o", "ControlPath=\(socket)", "-o", "BatchMode=yes", "-O", "exit", "planrun-stale"] as [String]).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var pid: pid_t = 0
        guard posix_spawn(&pid, "/usr/bin/ssh", &actions, nil, argv, environ) == 0 else { return }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
    }

    private func entries() -> [String] { DirectoryListing.names(in: path) }

    /// Removes the directory and whatever sockets are left in it. Call after every transport is closed.
    public func remove() {
        for name in entries() { unlink(path + "/" + name) }
        rmdir(path)
    }
}
