@testable import PlanEngine
import Testing

/// The ssh argument list and the remote wrapper text.
struct SSHTransportCommandLineTests {
    let settings = SSHSettings(
        host: "node1", user: "deploy", port: 2222, identityFile: "/keys/id",
        options: [.init(name: "UserKnownHostsFile", value: "/kh"), .init(name: "BatchMode", value: "no")])

    @Test func argumentsPutOurControlOptionsFirstAndTheHostLast() {
        let arguments = SSHCommandLine(settings: settings, controlDirectory: "/tmp/c").arguments(connectTimeout: 2.5)
        #expect(Array(arguments.prefix(8)) == [
            "-o", "BatchMode=yes", "-o", "ControlMaster=auto", "-o", "ControlPath=/tmp/c/%C", "-o", "ControlPersist=600",
        ])
        // Node aliases of one host each get a master of their own.
        let alias = SSHCommandLine(settings: settings, controlDirectory: "/tmp/c", controlName: "n7")
        #expect(alias.arguments(connectTimeout: 1).contains("ControlPath=/tmp/c/n7"))
        // ssh keeps the first -o value, so a node's BatchMode=no cannot switch batch mode off.
        #expect(arguments.firstIndex(of: "BatchMode=yes")! < arguments.firstIndex(of: "BatchMode=no")!)
        #expect(arguments.contains("ConnectTimeout=3"))
        #expect(arguments.contains("UserKnownHostsFile=/kh"))
        #expect(!arguments.contains { $0.hasPrefix("StrictHostKeyChecking") })
        #expect(arguments.suffix(2) == ["--", "node1"])
        for (flag, value) in [("-p", "2222"), ("-l", "deploy"), ("-i", "/keys/id")] {
            let index = arguments.firstIndex(of: flag)!
            #expect(arguments[index + 1] == value)
        }
        #expect(arguments.contains("IdentitiesOnly=yes"))
        #expect(arguments.contains("-T"))
    }

    @Test func strictHostKeyCheckingOnlyFromTheNode() {
        var relaxed = settings
        relaxed.options.append(.init(name: "StrictHostKeyChecking", value: "no"))
        let arguments = SSHCommandLine(settings: relaxed, controlDirectory: "/c").arguments(connectTimeout: 1)
        #expect(arguments.contains("StrictHostKeyChecking=no"))
    }

    @Test func controlRequestGoesBeforeTheHost() {
        let arguments = SSHCommandLine(settings: settings, controlDirectory: "/c")
            .arguments(connectTimeout: 1, control: ["-O", "exit"])
        #expect(arguments.suffix(4) == ["-O", "exit", "--", "node1"])
    }

    @Test(arguments: [(1.0, "1.000"), (0.25, "0.250"), (90.0, "90.000"), (0.0, "0.001"), (1.0004, "1.001")])
    func decimals(seconds: Double, text: String) {
        #expect(SSHCommandLine.decimal(seconds) == text)
    }

    @Test func remoteCommandQuotesEachArgvWordOnce() {
        let text = SSHCommandLine.remoteCommand(for: .argv(["echo", "a b", "it's"]), timeout: 2, grace: 1)
        #expect(text.hasPrefix("sh -c '"))
        #expect(text.hasSuffix(" planrun exec 2.000 1.000 " + ShellQuote.quote("echo 'a b' 'it'\\''s'")))
    }

    /// A plain `run:` command is sent as its words, started without a shell; one the shell must read as it is.
    @Test func aPlainRunCommandIsSentAsItsWords() {
        let plain = SSHCommandLine.wrapperArguments(
            for: .shell("mkdir -p /srv/a\n"), timeout: 2, grace: 1, upload: nil, uploadSize: 0, mode: .plain)
        #expect(plain == "exec 2.000 1.000 " + ShellQuote.quote("mkdir -p /srv/a"))
        let shell = SSHCommandLine.wrapperArguments(
            for: .shell("mkdir -p ~/a"), timeout: 2, grace: 1, upload: nil, uploadSize: 0, mode: .plain)
        #expect(shell == "plain 2.000 1.000 " + ShellQuote.quote("mkdir -p ~/a"))
        let secret = SSHCommandLine.wrapperArguments(
            for: .shell("mkdir -p /srv/a"), timeout: 2, grace: 1, upload: nil, uploadSize: 0, mode: .env)
        #expect(secret.hasPrefix("env "))
    }
}
