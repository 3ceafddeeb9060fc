@testable import PlanEngine
import Testing

/// ssh's own messages (exit 255) sorted into error kinds; a command's text is left alone.
struct SSHTransportClassifierTests {
    @Test(arguments: [
        ("root@127.0.0.1: Permission denied (publickey).", ErrorKind.authentication),
        ("Received disconnect from 10.0.0.1 port 22:2: Too many authentication failures", .authentication),
        ("Host key verification failed.", .hostKey),
        ("ssh: connect to host 127.0.0.1 port 1: Connection refused", .connection),
        ("kex_exchange_identification: read: Connection reset by peer", .connection),
        ("Connection closed by 127.0.0.1 port 2222", .connection),
        ("client_loop: send disconnect: Broken pipe", .connection),
        ("ssh: connect to host 10.255.255.1 port 22: Connection timed out", .connection),
        ("Connection timed out during banner exchange", .connection),
        ("ssh: Could not resolve hostname nowhere.invalid: Name or service not known", .unreachable),
        ("ssh: Could not resolve hostname x: Temporary failure in name resolution", .unreachable),
        ("ssh: connect to host 10.0.0.9 port 22: No route to host", .unreachable),
        ("ssh: connect to host 10.0.0.9 port 22: Network is unreachable", .unreachable),
    ])
    func sshMessages(line: String, kind: ErrorKind) {
        let failure = SSHFailureClassifier.classify(stderr: "some earlier output\n" + line + "\n")
        #expect(failure?.kind == kind)
        #expect(failure?.message == line)
    }

    @Test func commandOutputIsNotAnSSHFailure() {
        #expect(SSHFailureClassifier.classify(stderr: "error: disk full\n") == nil)
        #expect(SSHFailureClassifier.classify(stderr: "") == nil)
        // Only ssh's last words count, not something the command printed long before.
        #expect(SSHFailureClassifier.classify(stderr: "Connection refused\na\nb\nc\n") == nil)
    }
}
