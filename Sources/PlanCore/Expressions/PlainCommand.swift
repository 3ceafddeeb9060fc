/// A `run:` command that is one plain command: a shell given it would only split it into words and `exec`
/// them, so it can be started without the shell, as an `argv:` is.
///
/// Over SSH every command runs under `timeout` on the node; a plain one is started by `timeout` itself
/// rather than through an `sh` that then starts it, which is one program fewer per command and node (a
/// program costs the node about a millisecond of CPU; a fleet runs thousands).
public enum PlainCommand {
    /// The words of `text` when it is one plain command, else nil (the shell must read it).
    ///
    /// Plain means: words of the characters `ShellQuote` leaves bare (`A-Z a-z 0-9 _ . / : = @ % + , -`,
    /// which no shell expands), separated by spaces or tabs, ending at most with line breaks; and a first
    /// word that is no assignment, does not start with `-`, is none of the words a shell runs itself
    /// (`builtins`: `echo` or `test` differ from the programs of the same name, `cd` has none), and is a
    /// program's name, not a path: a shell runs a script without a `#!` line itself, `exec` does not (in
    /// musl's libc), and such scripts are named by their paths (`./deploy.sh`).
    public static func words(_ text: String) -> [String]? {
        var bytes = Substring(text).utf8
        while let last = bytes.last, last == UInt8(ascii: "\n") || last == UInt8(ascii: "\r") { bytes = bytes.dropLast() }
        var words: [String] = []
        var start: Substring.UTF8View.Index? = nil
        for index in bytes.indices {
            let byte = bytes[index]
            if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") {
                if let from = start { words.append(String(Substring(bytes[from..<index]))) }
                start = nil
            } else if ShellQuote.isSafe(byte) {
                if start == nil { start = index }
            } else {
                return nil
            }
        }
        if let from = start { words.append(String(Substring(bytes[from...]))) }
        guard let first = words.first, !first.utf8.contains(UInt8(ascii: "=")), !first.utf8.contains(UInt8(ascii: "/")),
            !first.hasPrefix("-"), !builtins.contains(first)
        else { return nil }
        return words
    }

    /// Words a POSIX shell, bash or BusyBox `sh` treats itself in command position: builtins and reserved
    /// words (those spelt with other characters cannot pass `words` anyway).
    static let builtins: Set<String> = [
        ".", ":", "alias", "bg", "break", "builtin", "caller", "case", "cd", "chdir", "command", "compgen",
        "complete", "compopt", "coproc", "continue", "declare", "dirs", "disown", "do", "done", "echo", "elif",
        "else", "enable", "esac", "eval", "exec", "exit", "export", "false", "fc", "fg", "fi", "for", "function",
        "getopts", "hash", "help", "history", "if", "in", "jobs", "kill", "let", "local", "logout", "mapfile",
        "popd", "printf", "pushd", "pwd", "read", "readarray", "readonly", "return", "select", "set", "shift",
        "shopt", "source", "suspend", "test", "then", "time", "times", "trap", "true", "type", "typeset",
        "ulimit", "umask", "unalias", "unset", "until", "wait", "while",
    ]
}
