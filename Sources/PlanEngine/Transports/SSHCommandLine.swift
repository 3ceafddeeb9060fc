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

    /// Options common to the connection, commands and `-O exit`, ending with `--` and the host.
    ///
    /// For `-o`, ssh keeps the first value it sees: BatchMode and the control options come first so a
    /// node cannot turn them off; the node's own options come before our defaults so they win over those.
    /// - Parameter persists: whether a master this ssh starts stays in the background (`ControlPersist`);
    ///   off for the node's session, which is the master itself and must stay in the foreground.
    func arguments(connectTimeout: Double, control: [String] = [], persists: Bool = true) -> [String] {
        var arguments = [
            "-o", "BatchMode=yes",
            "-o", "ControlMaster=auto",
            "-o", "ControlPath=\(controlDirectory)/\(controlName)",
            "-o", "ControlPersist=\(persists ? String(persist) : "no")",
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
    /// With an upload of `uploadSize` bytes, they are saved at `upload` first (`Upload`). `mode` says how the
    /// command runs (`WrapperMode`).
    static func remoteCommand(
        for command: CommandRequest.Command, timeout: Double, grace: Double, upload: Upload? = nil, uploadSize: Int = 0,
        mode: WrapperMode = .plain
    ) -> String {
        remoteCommand(arguments: wrapperArguments(
            for: command, timeout: timeout, grace: grace, upload: upload, uploadSize: uploadSize, mode: mode))
    }

    /// How the wrapper runs the command (its first parameter).
    enum WrapperMode: String {
        /// Under `timeout`, in `sh -c`, watched.
        case plain
        /// The same, after reading the command's variables from stdin (`environmentInput`).
        case env
        /// In the wrapper's own shell (a subshell of it): planrun's own file operations
        /// (`CommandRequest.runsInWrapper`).
        case inline
        /// Under `timeout`, watched, started by `timeout` itself without an `sh`: a `plain` request that is
        /// its words alone (an `argv:`, or a `run:` that is a `PlainCommand`); `wrapperArguments` picks it.
        case exec

        init(_ request: CommandRequest) {
            self = !request.environment.isEmpty ? .env : request.runsInWrapper ? .inline : .plain
        }
    }

    /// The same, for `wrapperArguments` already made: `sh` defines the wrapper and calls it with them.
    static func remoteCommand(arguments: String) -> String {
        "sh -c \(quotedWrapper) planrun " + arguments
    }

    /// `sh -c` text that defines the wrapper and calls it with its own arguments, quoted for the remote login
    /// shell, once.
    private static let quotedWrapper = ShellQuote.quote("\(definition); \(call("\"$@\""))")

    /// The shell function that is the wrapper: the node's session defines it once (`SSHSessionProtocol`), a
    /// command of its own defines it in its `sh -c`.
    static let function = "planrun_command"
    static let definition = "\(function)() { \(wrapper); }"

    /// A call of the wrapper with `arguments` (shell text), its stdin moved to fd 3 and /dev/null put in its
    /// place for the call only (`wrapper` reads its variables and upload from fd 3; the command reads /dev/null).
    static func call(_ arguments: String) -> String {
        "\(function) \(arguments) 3<&0 </dev/null"
    }

    /// The wrapper's positional parameters, shell-quoted and joined: the same for a command of its own and
    /// for one sent to the node's session (`SSHSessionProtocol.request`).
    static func wrapperArguments(
        for command: CommandRequest.Command, timeout: Double, grace: Double, upload: Upload?, uploadSize: Int,
        mode: WrapperMode
    ) -> String {
        var mode = mode
        let text: String
        switch command {
        case .shell(let script):
            if mode == .plain, let words = PlainCommand.words(script) {
                mode = .exec
                text = ShellQuote.join(words)
            } else {
                text = script
            }
        case .argv(let argv):
            text = ShellQuote.join(argv)
            // `timeout` would read a first word starting with `-` as an option of its own.
            if mode == .plain, let first = argv.first, !first.isEmpty, !first.hasPrefix("-") { mode = .exec }
        }
        var words = [mode.rawValue, decimal(timeout), decimal(max(grace, 0.1)), ShellQuote.quote(text)]
        if let upload {
            words += [String(uploadSize), ShellQuote.quote(upload.path)]
            if let target = upload.umaskModeIfAbsent { words.append(ShellQuote.quote(target)) }
        }
        return words.joined(separator: " ")
    }

    /// The body of the shell function `function`, called through `call` (stdin on fd 3, /dev/null on 0). It
    /// ends with `return`, never `exit`, and changes no descriptor of the calling shell, so the node's session
    /// runs a plain command without a subshell of its own (a fork less a command); what it leaves set are its
    /// own variables `e`, `p`, `w`, `s`, `z`. With `env` it exports the command's variables: the session calls
    /// that in a subshell (`SSHSessionProtocol`), so they never stay in it.
    ///
    /// `$1` is the `WrapperMode`: `env` when stdin starts with variables for the command, `inline` for
    /// planrun's own file operations, run by this shell itself in a subshell (no `timeout`, no `sh` of their
    /// own, no watcher: the step's timeout bounds them from planrun's side), `exec` when the command is its
    /// shell-quoted words alone (`eval` hands them to `timeout`, which starts the program itself: no `sh`),
    /// else `plain`; it is shifted
    /// away, and then `$1` is the timeout, `$2` the grace, `$3` the command, and for an upload `$4` its size
    /// in bytes, `$5` the path it is saved at and `$6`, if given, the file it is to become
    /// (`Upload.umaskModeIfAbsent`). `timeout` makes itself a process group leader, so `-$p` names the
    /// command's whole tree. One line, so login shells that reject newlines inside quotes (csh) still pass it
    /// to `sh` intact.
    ///
    /// ssh's stdin (fd 3 here) carries, in this order:
    /// 1. with `env`, the command's variables (secrets, which must not be on any command line): one
    ///    line `NAME=VALUE` each, VALUE written as `printf %b` octal escapes (`\0101`) so any byte but NUL
    ///    passes, then an empty line (`environmentInput`). `read` takes one byte at a time from a pipe, so it
    ///    never consumes past its own line;
    /// 2. for an upload, exactly `$4` bytes, saved at `$5` and flushed before the command starts, then the
    ///    line `Upload.endLine`; a stream that ends early (the connection dropped, planrun was stopped) has
    ///    no end line there, and leaves no file and exit status 125 (`Upload.receiveScript`);
    /// 3. nothing more: planrun keeps its end open until the command is done, so end-of-file means the
    ///    client went away, and the watcher stops the command. `$5` is removed when the command ends,
    ///    however it ends (a command that keeps the file has moved it away).
    /// The receive is bounded by the connection rather than by `timeout`: planrun's own timeout covers the
    /// transfer and ends it by stopping the local ssh, which is end-of-file here.
    static let wrapper = [
        "e=$1",
        "shift",
        "command -v timeout >/dev/null 2>&1 || { echo '\(noTimeoutMessage)' >&2; return \(noTimeoutStatus); }",
        "[ \"$e\" != env ] || while IFS= read -r l <&3 && [ -n \"$l\" ]; do v=$(printf '%b.' \"${l#*=}\"); export \"${l%%=*}=${v%.}\"; done",
        "[ -z \"$4\" ] || "
            + Upload.receiveScript(size: "\"$4\"", path: "\"$5\"", input: "<&3", umaskUnless: "\"$6\"", end: "return"),
        "[ \"$e\" != inline ] || { (eval \"$3\") 3<&-; s=$?; \(removeUpload); return $s; }",
        #"case $e in exec) eval "timeout -k \"\$2\" \"\$1\" $3 3<&- &" ;; *) timeout -k "$2" "$1" sh -c "$3" 3<&- & ;; esac; p=$!"#,
        "{ while read -r _ <&3; do :; done; kill -TERM -$p; sleep \"$2\"; kill -KILL -$p; } >/dev/null 2>&1 & w=$!",
        "wait $p",
        "s=$?",
        // Reaped, not only signalled: in a session the next request may follow at once, and a watcher still
        // in `read` could take its first byte.
        "kill -KILL $w 2>/dev/null",
        "wait $w 2>/dev/null",
        "kill -KILL -$p 2>/dev/null",
        removeUpload,
        "return $s",
    ].joined(separator: "; ")

    /// Removes the upload's file after the command. `rm` only when the file is still there: a command that
    /// kept it (`copy`) moved it away.
    private static let removeUpload = "[ -z \"$5\" ] || { [ ! -e \"$5\" ] && [ ! -L \"$5\" ]; } || rm -f \"$5\""

    /// The wrapper's exit status and stderr line when the node has no `timeout` (told apart from a command
    /// that exits 97 by the line).
    static let noTimeoutStatus: Int32 = 97
    static let noTimeoutMessage = "planrun: this node has no timeout command"

    /// The bytes planrun writes first on ssh's stdin for `environment` (see `wrapper`).
    static func environmentInput(_ environment: [(name: String, value: String)]) -> [UInt8] {
        var out: [UInt8] = []
        for (name, value) in environment {
            out += Array(name.utf8) + [UInt8(ascii: "=")]
            for byte in value.utf8 {
                out += Array("\\0".utf8) + Array(String(byte, radix: 8).utf8)
            }
            out.append(UInt8(ascii: "\n"))
        }
        out.append(UInt8(ascii: "\n"))
        return out
    }

    /// Seconds as a plain decimal with millisecond precision (`timeout` rejects exponents; 0 means never).
    static func decimal(_ seconds: Double) -> String {
        let milliseconds = Int((min(max(seconds, 0.001), 1e8) * 1000).rounded(.up))
        let fraction = String(milliseconds % 1000)
        return "\(milliseconds / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}
