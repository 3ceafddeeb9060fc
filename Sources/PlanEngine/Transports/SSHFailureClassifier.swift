/// Tells ssh's own complaints (exit status 255) apart from a remote command's output, and sorts them into
/// the seed's error kinds.
enum SSHFailureClassifier {
    /// The kind of transport failure the last lines of ssh's stderr describe, or nil when they are not
    /// one of ssh's messages (then a 255 is the remote command's own exit status).
    static func classify(stderr: String) -> TransportFailure? {
        // ssh prints its verdict last; a command's earlier output must not decide.
        let lines = stderr.split(whereSeparator: \.isNewline).map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
        for line in lines.suffix(3).reversed() {
            if let kind = kind(of: line) { return TransportFailure(kind, String(line)) }
        }
        return nil
    }

    private static let patterns: [(ErrorKind, [String])] = [
        // Before authentication: ssh ends a changed key's warning with "Host key verification failed".
        (
            .hostKey,
            [
                "Host key verification failed", "REMOTE HOST IDENTIFICATION HAS CHANGED", "No ED25519 host key is known",
                "No RSA host key is known", "No ECDSA host key is known", "Host key for",
            ]
        ),
        (
            .authentication,
            ["Permission denied (", "Too many authentication failures", "No more authentication methods"]
        ),
        (
            .unreachable,
            [
                "Could not resolve hostname", "Name or service not known", "No route to host",
                "Network is unreachable", "Temporary failure in name resolution", "nodename nor servname",
                "No address associated with hostname",
            ]
        ),
        // A connect that timed out is a connection failure too, never a command's timeout.
        (
            .connection,
            [
                "Connection timed out", "Operation timed out", "timed out during banner exchange", "Connection timeout",
                "Connection refused", "Connection reset", "Connection closed by", "closed by remote host",
                "kex_exchange_identification", "ssh_exchange_identification", "Unable to negotiate",
                "Broken pipe", "ssh: connect to host", "Connection to ", "packet_write_wait", "client_loop:",
                "mux_client_request_session", "Control socket connect", "ssh: Could not",
            ]
        ),
    ]

    private static func kind(of line: Substring) -> ErrorKind? {
        for (kind, needles) in patterns where needles.contains(where: { line.contains($0) }) {
            return kind
        }
        return nil
    }
}

extension Substring {
    fileprivate func trimmingWhitespace() -> Substring {
        var text = self
        while let first = text.first, first.isWhitespace { text = text.dropFirst() }
        while let last = text.last, last.isWhitespace { text = text.dropLast() }
        return text
    }
}
