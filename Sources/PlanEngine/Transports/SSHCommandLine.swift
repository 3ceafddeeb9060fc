/// The arguments of the system `ssh` client for one node, and the remote wrapper that bounds a command's life.
struct SSHCommandLine: Sendable {
    var settings: SSHSettings
    /// A private directory for the control socket.
    var controlDirectory: String
    /// The socket's name in it: one per node (not ssh's `%C` hash of host, port and user), so node aliases
    /// of one host each get their own master, as one connection per node promises, and no alias's sessions
    /// run into sshd's `MaxSessions` on another's connection.
    var controlName: String = "%C"
    /// Seconds `ControlPersist` keeps an idle master alive in case `close()` is never reached. Long enough
    /// for a node to wait between its steps while a fan-out over a thousand others goes on (a master gone
    /// by then would be reopened by the next command, outside `max_connecting`).
    var persist: Int = 600

    /// Options common to the probe, commands and `-O exit`, ending with `--` and the host.
    ///
    /// For `-o`, ssh keeps the first value it sees: BatchMode and the control options come first so a
    /// node cannot turn them off; the node's own options come before our defaults so they win over those.
    func arguments(connectTimeout: Double, control: [String] = []) -> [String] {
        var arguments = [
            "-o", "BatchMode=yes",
            "-o", "ControlMaster=auto",
            "-o", "ControlPath=\(controlDirectory)/\(controlName)",
            "-o", "ControlPersist=\(persist)",
        ]
        for option in settings.options {
            arguments += ["-o", "\(option.name)=\(option.value)"]
        }
        arguments += [
            "-o", "ConnectTimeout=\(max(1, Int(connectTimeout.rounded(.up))))",
            "-o", "LogLevel=ERROR",
            "-e", "none",
            "-T",
        ]
        if let port = settings.port { arguments += ["-p", String(port)] }
        if let user = settings.user { arguments += ["-l", user] }
        if let identity = settings.identityFile {
            arguments += ["-i", identity, "-o", "IdentitiesOnly=yes"]
        }
        return arguments + control + ["--", settings.host]
    }

    /// The text the remote login shell runs for `command`: coreutils `timeout` bounds its life, and a
    /// watcher kills its process group when ssh's stdin reaches end-of-file (the local client went away,
    /// e.g. on Ctrl-C). The command itself reads `/dev/null`, and anything it left in its group is swept.
    static func remoteCommand(for command: CommandRequest.Command, timeout: Double, grace: Double) -> String {
        let text: String
        switch command {
        case .shell(let script): text = script
        case .argv(let argv): text = argv.map(ShellQuote.quote).joined(separator: " ")
        }
        return [
            "sh", "-c", ShellQuote.quote(wrapper), "planrun", decimal(timeout), decimal(max(grace, 0.1)),
            ShellQuote.quote(text),
        ].joined(separator: " ")
    }

    /// `$1` timeout, `$2` grace, `$3` the command. `timeout` makes itself a process group leader, so
    /// `-$p` names the command's whole tree. One line, so login shells that reject newlines inside quotes
    /// (csh) still pass it to `sh` intact.
    static let wrapper = [
        "exec 3<&0 </dev/null",
        "timeout -k \"$2\" \"$1\" sh -c \"$3\" 3<&- & p=$!",
        "{ while read -r _ <&3; do :; done; kill -TERM -$p; sleep \"$2\"; kill -KILL -$p; } >/dev/null 2>&1 & w=$!",
        "exec 3<&-",
        "wait $p",
        "s=$?",
        "kill -KILL $w 2>/dev/null",
        "kill -KILL -$p 2>/dev/null",
        "exit $s",
    ].joined(separator: "; ")

    /// Seconds as a plain decimal with millisecond precision (`timeout` rejects exponents; 0 means never).
    static func decimal(_ seconds: Double) -> String {
        let milliseconds = Int((min(max(seconds, 0.001), 1e8) * 1000).rounded(.up))
        let fraction = String(milliseconds % 1000)
        return "\(milliseconds / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}
