import PlanCore
import Testing

/// Which `run:` commands are their words alone, to be started without a shell.
struct PlainCommandTests {
    @Test(arguments: [
        ("mkdir -p /srv/app/n1", ["mkdir", "-p", "/srv/app/n1"]),
        ("  systemctl\trestart  app.service \n", ["systemctl", "restart", "app.service"]),
        ("dd if=/dev/zero of=/tmp/x bs=1k count=1", ["dd", "if=/dev/zero", "of=/tmp/x", "bs=1k", "count=1"]),
        ("id -u", ["id", "-u"]),
        ("chown app:app,x @a %b +c", ["chown", "app:app,x", "@a", "%b", "+c"]),
    ])
    func plainCommandsAreTheirWords(_ text: String, _ words: [String]) {
        #expect(PlainCommand.words(text) == words)
    }

    @Test(arguments: [
        "", "   ", "\n",
        // Anything a shell expands, redirects, quotes, chains or comments.
        "echo $HOME", "ls *.log", "ls ~", "cat a > b", "a | b", "a && b", "a; b", "a\nb", "sleep 1 &",
        "echo 'a b'", "echo \"a\"", "a\\ b", "f(x)", "ls {a,b}", "x # note", "ls [ab]", "!x", "a`b`",
        // Builtins and reserved words: the shell runs these itself, or they differ from the programs.
        "echo hi", "printf x", "test -f x", "true", "cd /tmp", "exit 3", "export A=1", "kill 1", ". ./env",
        "source env", "exec id", "command -v x", "if", "time make", "umask 022", "wait", "read x",
        // Assignments, a first word `timeout` would take for an option of its own, and a program named by
        // its path (which may be a script without `#!`, which only a shell runs).
        "A=1 cmd", "A=1", "-x cmd", "./deploy.sh", "/usr/bin/id -u", "bin/run x",
    ])
    func anythingElseNeedsTheShell(_ text: String) {
        #expect(PlainCommand.words(text) == nil, "\(text)")
    }
}
