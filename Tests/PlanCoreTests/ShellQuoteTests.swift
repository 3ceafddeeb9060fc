import Foundation
import PlanCore
import PlanTestSupport
import Testing

/// Quoting is checked by a real shell: each rendered value must reach the command as exactly the one
/// argument it was, and nothing in it may run (the payloads try to create a file in the working directory).
@Suite(.serialized) struct ShellQuoteTests {
    static let hostile = [
        "$(touch pwned)", "`touch pwned`", "';touch pwned;'", "';rm -rf /;'", "x; touch pwned", "a && touch pwned",
        "a || touch pwned", "a | touch pwned", "& touch pwned &", "> pwned", "line\ntouch pwned", "a\nb\n", "\r\n",
        "\"", "\"$(touch pwned)\"", "\\", "\\'", "'", "''", "a'b'c", "*", "?", "[ab]", "{a,b}", "~", "~root",
        "$HOME", "${HOME}", "$((1+1))", "!", "!!", "#not a comment", "-n", "--", "", " ", "a b\tc",
        "héllo wörld ✓ 🙂", "\u{7}\u{1B}[31m", "PATH=/nonexistent", "%s%n", "$'\\x41'", "${IFS}",
    ]

    static let shells = ["/bin/sh", "/bin/bash", "/bin/dash"].filter { FileManager.default.isExecutableFile(atPath: $0) }

    @Test(arguments: hostile)
    func interpolatedValueIsOneWordAndRunsNothing(_ value: String) async throws {
        var inputs = Value.Object()
        inputs["v"] = .string(value)
        let (template, diagnostics) = Template.parse(
            #"set -- ${{ inputs.v }}; printf '%s\000' "$#" "$@""#, at: SourceRange(line: 1, column: 1))
        #expect(diagnostics.isEmpty)
        let command = try template.renderShell(in: Value.Object([("inputs", .object(inputs))]))
        for shell in Self.shells {
            let words = try await Self.run(shell, command)
            #expect(words == ["1", value], "\(shell): \(command)")
        }
    }

    @Test func joinedArgvRoundTrips() async throws {
        let command = "set -- " + ShellQuote.join(Self.hostile) + #"; printf '%s\000' "$#" "$@""#
        for shell in Self.shells {
            let words = try await Self.run(shell, command)
            #expect(words == [String(Self.hostile.count)] + Self.hostile, "\(shell)")
        }
        #expect(ShellQuote.join(["git", "-C", "/opt/aitbc", "pull", "--ff-only"]) == "git -C /opt/aitbc pull --ff-only")
        #expect(ShellQuote.join(["echo", "a b", ""]) == "echo 'a b' ''")
        #expect(ShellQuote.join([]) == "")
    }

    @Test(arguments: [
        ("simple", "simple"), ("/opt/aitbc/aitbc-cli", "/opt/aitbc/aitbc-cli"), ("--ff-only", "--ff-only"),
        ("user@host:22", "user@host:22"), ("a=b", "'a=b'"), ("--opt=value", "--opt=value"), ("1.5,2%+x", "1.5,2%+x"),
        ("", "''"), ("a b", "'a b'"), ("it's", #"'it'\''s'"#), ("'", #"''\'''"#), ("$x", "'$x'"), ("~", "'~'"),
        ("é", "'é'"), ("a\nb", "'a\nb'"), ("*", "'*'"), ("PATH=/bin", "'PATH=/bin'"), ("_x1=", "'_x1='"),
        ("1x=2", "1x=2"),
    ] as [(String, String)])
    func quoteLeavesSafeWordsBare(_ text: String, _ expected: String) {
        #expect(ShellQuote.quote(text) == expected)
    }

    /// Runs `command` with `shell -c` in a fresh empty directory and returns the NUL-separated words it
    /// printed; fails if the directory is not empty afterwards. External commands are not found, so even a
    /// quoting bug could not run `rm`; `touch` is made a function that creates the file it names.
    static func run(_ shell: String, _ command: String) async throws -> [String] {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("planrun-quote-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try await ChildProcess(
            shell, ["-c", "touch() { : > \"$1\"; }; " + command], workingDirectory: directory.path,
            environment: ["PATH": directory.appendingPathComponent("no-such-bin").path, "HOME": "/nonexistent"]
        ).wait(timeout: 30)
        #expect(result.status == 0, "\(shell) -c \(command)")
        let left = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(left.isEmpty, "files created by \(command): \(left)")
        var words = result.stdout.split(separator: "\0", omittingEmptySubsequences: false).map(String.init)
        if words.last == "" { words.removeLast() }
        return words
    }
}
