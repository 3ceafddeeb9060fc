import Foundation
import PlanCore

/// A private `sshd` on 127.0.0.1 for tests: its own host key, a client key in `authorized_keys` for the
/// current user, a known_hosts line, and a second key the server does not know.
///
/// Started with `start()`, stopped by its pid with `stop()`, which also removes the directory. It needs
/// Debian's `openssh-server` (`/usr/sbin/sshd`); without it `start()` throws — tests must fail, not skip.
/// Children are spawned with `posix_spawn` and waited for by pid: Foundation's `Process` blocks its
/// monitor thread in `waitpid` once sshd closes the descriptor Foundation watches, which stalls tests.
public final class SSHServer: @unchecked Sendable {
    public let directory: String
    public let port: Int
    /// The authorized private key.
    public let clientKey: String
    /// A private key the server does not accept.
    public let wrongKey: String
    public let knownHosts: String
    public let user: String
    /// sshd's pid; 0 once stopped.
    private var pid: pid_t

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// The address sshd listens on (127.0.0.1 unless started in a network namespace).
    public private(set) var address = "127.0.0.1"

    private init(directory: String, port: Int, user: String, pid: pid_t) {
        self.directory = directory
        self.port = port
        self.user = user
        self.clientKey = directory + "/client_ed25519"
        self.wrongKey = directory + "/wrong_ed25519"
        self.knownHosts = directory + "/known_hosts"
        self.pid = pid
    }

    /// Generates keys and config in a new temp directory, starts `sshd -D -e`, and waits until the port accepts.
    /// - Throws: `SSHServer.Failure` when sshd is missing or does not come up within 10 s.
    public static func start() throws -> SSHServer {
        try start(namespace: nil, address: "127.0.0.1")
    }

    /// `start()` inside network namespace `namespace` (`ip netns exec`), listening on `address` there.
    public static func start(namespace: String?, address: String) throws -> SSHServer {
        try start(namespace: namespace, address: address, environment: [])
    }

    /// `start()` with variables sshd sets in every session (`SetEnv NAME=VALUE`), e.g. a `PATH` without
    /// some command.
    public static func start(environment: [String]) throws -> SSHServer {
        try start(namespace: nil, address: "127.0.0.1", environment: environment)
    }

    private static func start(namespace: String?, address: String, environment: [String]) throws -> SSHServer {
        let sshd = "/usr/sbin/sshd"
        guard FileManager.default.isExecutableFile(atPath: sshd) else {
            throw Failure(description: "\(sshd) is missing: install openssh-server")
        }
        let directory = try makeTemporaryDirectory()
        for key in ["host_ed25519", "client_ed25519", "wrong_ed25519"] {
            let status = runAndWait("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "planrun-test", "-f", "\(directory)/\(key)"])
            guard status == 0 else { throw Failure(description: "ssh-keygen failed with status \(status)") }
        }
        try FileManager.default.copyItem(atPath: "\(directory)/client_ed25519.pub", toPath: "\(directory)/authorized_keys")
        // sshd wants its privilege-separation directory.
        try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)
        chmod("/run/sshd", 0o755)

        // `SetEnv SHLVL=1`: Debian's bash runs root's ~/.bashrc for every command sshd starts, and this
        // machine's runs `pyenv init` (~0.3 s and a lock a session); a nested bash skips it (scripts/testbed).
        // A fresh namespace has every port free.
        let port = namespace == nil ? freePort() : 2222
        let config = """
            ListenAddress \(address)
            Port \(port)
            HostKey \(directory)/host_ed25519
            PidFile \(directory)/sshd.pid
            AuthorizedKeysFile \(directory)/authorized_keys
            PermitRootLogin prohibit-password
            StrictModes no
            UsePAM no
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            PubkeyAuthentication yes
            MaxSessions 64
            MaxStartups 256
            LogLevel ERROR
            SetEnv \((["SHLVL=1"] + environment).joined(separator: " "))

            """
        try config.write(toFile: "\(directory)/sshd_config", atomically: true, encoding: .utf8)
        let hostKey = try String(contentsOfFile: "\(directory)/host_ed25519.pub", encoding: .utf8)
            .split(separator: " ").prefix(2).joined(separator: " ")
        try "[\(address)]:\(port) \(hostKey)\n".write(toFile: "\(directory)/known_hosts", atomically: true, encoding: .utf8)

        let arguments = ["-D", "-e", "-f", "\(directory)/sshd_config"]
        let sshdPID =
            try namespace.map { try spawn("/usr/sbin/ip", ["netns", "exec", $0, sshd] + arguments, log: "\(directory)/sshd.log") }
            ?? spawn(sshd, arguments, log: "\(directory)/sshd.log")
        let server = SSHServer(directory: directory, port: port, user: currentUser(), pid: sshdPID)
        server.address = address
        let clock = ContinuousClock()
        let end = clock.now + .seconds(10)
        while !accepts(address: address, port: port) {
            var status: Int32 = 0
            if waitpid(sshdPID, &status, WNOHANG) == sshdPID || clock.now > end {
                let output = (try? String(contentsOfFile: "\(directory)/sshd.log", encoding: .utf8)) ?? ""
                server.stop()
                throw Failure(description: "sshd did not start on port \(port): \(output)")
            }
            usleep(20_000)
        }
        return server
    }

    /// Settings for this server's node: the given key (the authorized one by default) and its known_hosts.
    public func settings(identity: String? = nil) -> SSHSettings {
        SSHSettings(
            host: address, user: user, port: port, identityFile: identity ?? clientKey,
            options: [
                .init(name: "UserKnownHostsFile", value: knownHosts),
                .init(name: "GlobalKnownHostsFile", value: "/dev/null"),
            ])
    }

    /// How many connections sshd is serving now: its child processes (one per connection, beside the
    /// listener), read from `/proc`. Zombies count until sshd reaps them.
    public func connections() -> Int {
        ProcessProbe.pids { fields in fields.count > 1 && fields[0] != "Z" && Int32(fields[1]) == pid }.count
    }

    /// The node goes away at once, as when its machine halts: sshd and every process under it (its sessions
    /// and their commands) get SIGKILL together, and no connection is closed properly.
    public func halt() {
        guard pid > 0 else { return }
        var family: [Int32] = [pid]
        var index = 0
        while index < family.count {
            family += Self.children(of: family[index])
            index += 1
        }
        for member in family { kill(member, SIGSTOP) }
        for member in family { kill(member, SIGKILL) }
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        pid = 0
    }

    /// sshd's per-connection processes die (SIGKILL), the listener stays: every open connection breaks
    /// mid-way, and what they ran is left to notice on its own.
    public func killConnections() {
        guard pid > 0 else { return }
        for child in Self.children(of: pid) { kill(child, SIGKILL) }
    }

    private static func children(of parent: Int32) -> [Int32] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return names.compactMap { name in
            guard let child = Int32(name), let stat = try? String(contentsOfFile: "/proc/\(name)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return nil }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 1 && Int32(fields[1]) == parent ? child : nil
        }
    }

    /// Stops sshd by its pid and removes the directory. Connections already open end with their clients.
    public func stop() {
        if pid > 0 {
            kill(pid, SIGTERM)
            var status: Int32 = 0
            let clock = ContinuousClock()
            let end = clock.now + .seconds(5)
            while waitpid(pid, &status, WNOHANG) == 0 {
                if clock.now > end {
                    kill(pid, SIGKILL)
                    waitpid(pid, &status, 0)
                    break
                }
                usleep(20_000)
            }
            pid = 0
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// A port on 127.0.0.1 nothing listens on right now (bound to port 0, then released).
    public static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        precondition(bound, "cannot bind a socket on 127.0.0.1")
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func accepts(address ip: String, port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = loopback(port: port)
        address.sin_addr.s_addr = inet_addr(ip)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        return address
    }

    /// A new directory under /tmp, private to this user; the caller removes it.
    public static func makeTemporaryDirectory() throws -> String {
        var template = Array("/tmp/planrun-sshd-XXXXXX".utf8CString)
        guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
            throw Failure(description: "cannot create a temporary directory")
        }
        return String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Runs a tool to completion (stdin and output `/dev/null`) and returns its wait status.
    /// Asks the master for `settings` in `controlDirectory` to exit (`ssh -O exit`), so sshd's per-connection
    /// processes end with it. Synchronous on purpose: a suite's deinit must not wait for the cooperative pool.
    public static func closeMaster(_ settings: SSHSettings, controlDirectory: String, controlName: String = "%C") {
        runAndWait("/usr/bin/ssh", [
            "-o", "ControlPath=\(controlDirectory)/\(controlName)", "-p", String(settings.port ?? 22), "-l", settings.user ?? "root",
            "-O", "exit", "--", settings.host,
        ])
    }

    @discardableResult
    public static func runAndWait(_ path: String, _ arguments: [String]) -> Int32 {
        guard let pid = try? spawn(path, arguments, log: "/dev/null") else { return -1 }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1, errno == EINTR {}
        return status
    }

    /// Starts `path` with stdin `/dev/null`, stdout and stderr appended to `log`, default signal actions.
    private static func spawn(_ path: String, _ arguments: [String], log: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The test process may ignore SIGPIPE or SIGINT; sshd and ssh must not inherit that.
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGUSR1, SIGUSR2, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, &attributes, argv, environ)
        guard rc == 0 else { throw Failure(description: "cannot start \(path): error \(rc)") }
        return pid
    }

    private static func currentUser() -> String {
        guard let entry = getpwuid(getuid()) else { return "root" }
        return String(decoding: UnsafeRawBufferPointer(start: entry.pointee.pw_name, count: strlen(entry.pointee.pw_name)), as: UTF8.self)
    }
}
