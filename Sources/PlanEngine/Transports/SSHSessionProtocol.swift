/// What planrun and a node's session shell say to each other (`SSHSession`).
///
/// The session is one `sh` on the node, started once per node through its SSH connection, that runs the
/// node's commands one after another: no OpenSSH client process per command on this machine, and no sshd
/// session (with its login shell) per command on the node. Each command still runs inside the same
/// wrapper as a command of its own (`SSHCommandLine.wrapper`: `timeout`, the stdin watcher, the variables
/// and the upload read from stdin), so its limits and its clean-up are the same.
///
/// On the session's stdin, a request is one line `NONCE COUNT` followed by COUNT lines of shell text (a call
/// of the wrapper with its parameters), then what that wrapper reads from stdin (variables, upload bytes).
/// The wrapper itself is defined once, as a function, when the session starts: `read` takes a pipe one byte
/// at a time, and its 1.3 KB with every command cost the node about 0.3 ms of a 3.5 ms command. The
/// shell runs the call itself (the wrapper changes nothing of the session but its own variables, and starts
/// the command in a shell of its own), except a call with variables, which runs in a subshell so that they are
/// never left exported in the session; then it writes a mark on stdout,
/// `\nNONCE STATUS\n`, and on stderr, `\nNONCE\n`. The line break before each mark is the session's own, so
/// output that does not end with one is kept as it is. The nonce is new and random for each command and
/// travels only on stdin, so a command cannot end its own output early by printing something that looks
/// like a mark.
enum SSHSessionProtocol {
    /// The shell text the node's login shell runs (one line: some login shells reject newlines in quotes).
    /// `n` holds a line break: the last of the three characters a POSIX shell sets `IFS` to when it starts
    /// (no fork, where a `$(printf)` was one per node); taken from `printf` when that is not so (a command
    /// substitution drops trailing line breaks, hence the `_`).
    static let shell = [
        "n=${IFS#??}",
        "[ ${#n} = 1 ] || { n=$(printf '\\n_'); n=${n%_}; }",
        SSHCommandLine.definition,
        "printf '\\n\(readyWord)\\n'",
        "while IFS=' ' read -r k c",
        "do r=",
        "while [ \"$c\" -gt 0 ] && IFS= read -r x",
        "do r=$r$x$n",
        "c=$((c-1))",
        "done",
        "case $r in \"\(SSHCommandLine.function) \(SSHCommandLine.WrapperMode.env.rawValue) \"*) (eval \"$r\");; *) eval \"$r\";; esac",
        "printf '\\n%s %s\\n' \"$k\" $?",
        "printf '\\n%s\\n' \"$k\" >&2",
        "done",
    ].joined(separator: "; ")

    /// The word the session prints on a line of its own once it reads requests. Output of the login shell
    /// before it (a chatty rc file) is skipped.
    static let readyWord = "planrun-session-ready"

    /// The remote command that starts the session.
    static let remoteCommand = "sh -c " + ShellQuote.quote(shell) + " planrun-session"

    /// A fresh nonce: 128 random bits in hex.
    static func nonce() -> String {
        var generator = SystemRandomNumberGenerator()
        let high = generator.next() as UInt64
        let low = generator.next() as UInt64
        func hex(_ value: UInt64) -> String {
            let digits = String(value, radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }
        return "planrun-" + hex(high) + hex(low)
    }

    /// The bytes of one request: the header line, the call of the wrapper with its arguments, then `input` (the
    /// variables the wrapper reads first). Upload bytes follow separately.
    static func request(nonce: String, arguments: String, input: [UInt8]) -> [UInt8] {
        let text = SSHCommandLine.call(arguments)
        let lines = text.utf8.reduce(1) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
        return Array("\(nonce) \(lines)\n\(text)\n".utf8) + input
    }
}

/// One stream of a node's session, cut where the running command's mark begins.
///
/// Bytes before the mark are the command's output and are handed on as they come, except the last few,
/// held back until it is clear they do not begin the mark. After the mark, the rest of its line is kept as
/// `trailer` (the exit status, on stdout).
struct MarkedStream {
    private let mark: [UInt8]
    private var pending: [UInt8] = []
    private var markFound = false
    /// What followed the mark on its line; set once the whole line arrived.
    private(set) var trailer: String?

    /// - Parameter nonce: the request's nonce; the mark is a line break followed by it.
    init(nonce: String) {
        mark = [UInt8(ascii: "\n")] + Array(nonce.utf8)
    }

    var ended: Bool { trailer != nil }

    /// Takes the next bytes of the stream; `output` receives those that are surely the command's.
    mutating func take(_ chunk: UnsafeRawBufferPointer, output: (UnsafeRawBufferPointer) -> Void) {
        guard !ended else { return }
        pending.append(contentsOf: chunk)
        if !markFound {
            if let start = firstMark() {
                if start > 0 { pending[..<start].withUnsafeBytes(output) }
                pending.removeFirst(start)
                markFound = true
            } else {
                let done = pending.count - min(pending.count, mark.count - 1)
                if done > 0 {
                    pending[..<done].withUnsafeBytes(output)
                    pending.removeFirst(done)
                }
                return
            }
        }
        if let end = pending[mark.count...].firstIndex(of: UInt8(ascii: "\n")) {
            trailer = String(decoding: pending[mark.count..<end], as: UTF8.self)
            pending = []
        }
    }

    /// Where the whole mark first begins in `pending`.
    private func firstMark() -> Int? {
        guard pending.count >= mark.count else { return nil }
        var index = 0
        while let newline = pending[index...].firstIndex(of: mark[0]) {
            guard newline + mark.count <= pending.count else { return nil }
            if pending[newline..<(newline + mark.count)].elementsEqual(mark) { return newline }
            index = newline + 1
        }
        return nil
    }
}
