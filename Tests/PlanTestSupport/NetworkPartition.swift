import Foundation

/// A network namespace of its own for one test node, joined to this machine by a veth pair on a private
/// /30 (10.251.N.0/30), so a test can cut the link mid-run: a partition, with no RST and no FIN.
/// Needs root (`ip netns`); everything it makes is named `prN…` and removed by `remove()`.
public final class NetworkPartition: @unchecked Sendable {
    public let namespace: String
    /// The node's address inside the namespace; this machine's end is `.1`.
    public let nodeAddress: String
    private let hostLink: String

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public init() throws {
        let n = Int.random(in: 1...250)
        let tag = String(UInt32.random(in: 0...0xFFFFFF), radix: 16)
        namespace = "planrun-pr-\(tag)"
        hostLink = "pr\(tag)h"
        let nodeLink = "pr\(tag)n"
        nodeAddress = "10.251.\(n).2"
        let steps: [[String]] = [
            ["netns", "add", namespace],
            ["link", "add", hostLink, "type", "veth", "peer", "name", nodeLink],
            ["link", "set", nodeLink, "netns", namespace],
            ["addr", "add", "10.251.\(n).1/30", "dev", hostLink],
            ["link", "set", hostLink, "up"],
            ["netns", "exec", namespace, "ip", "addr", "add", "\(nodeAddress)/30", "dev", nodeLink],
            ["netns", "exec", namespace, "ip", "link", "set", nodeLink, "up"],
            ["netns", "exec", namespace, "ip", "link", "set", "lo", "up"],
        ]
        for step in steps {
            let status = SSHServer.runAndWait("/usr/sbin/ip", step)
            guard status == 0 else {
                remove()
                throw Failure(description: "ip \(step.joined(separator: " ")) failed with status \(status)")
            }
        }
    }

    /// The partition: this machine's end of the link goes down; packets in either direction are lost.
    public func cut() {
        SSHServer.runAndWait("/usr/sbin/ip", ["link", "set", hostLink, "down"])
    }

    /// Deletes the namespace (its end of the veth pair, and so the pair, goes with it).
    public func remove() {
        SSHServer.runAndWait("/usr/sbin/ip", ["link", "del", hostLink])
        SSHServer.runAndWait("/usr/sbin/ip", ["netns", "del", namespace])
    }
}
