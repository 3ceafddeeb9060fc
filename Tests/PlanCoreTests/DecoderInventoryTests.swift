import PlanCore
import PlanTestSupport
import Testing

/// `--inventory FILE`: planrun's own format and Ansible's YAML inventory, merged over the plan's.
@Suite struct DecoderInventoryTests {
    @Test func ownFormat() throws {
        let (inventory, diagnostics) = InventoryDecoder.decode(bytes: Array("""
            nodes:
              a: { transport: ssh, host: 127.0.0.1, port: 2201, user: me, identity_file: /k, ssh_options: { A: b } }
              b: { transport: local, vars: { cli: /x } }
            groups:
              all: [a, b]
            """.utf8), file: "inv.yaml")
        #expect(diagnostics.isEmpty)
        let nodes = try #require(inventory).nodes
        #expect(nodes.map(\.name) == ["a", "b"])
        #expect(nodes[0].transport == .ssh(SSHSettings(host: "127.0.0.1", user: "me", port: 2201, identityFile: "/k", options: [.init(name: "A", value: "b")])))
        #expect(nodes[1].vars["cli"] == .string("/x"))
    }

    @Test func ansibleFormat() throws {
        let (inventory, diagnostics) = InventoryDecoder.decode(bytes: Array("""
            all:
              vars:
                cli: /opt/cli
              hosts:
                genesis:
                  ansible_connection: local
              children:
                followers:
                  vars: { ansible_user: root, role: follower }
                  hosts:
                    follower:
                      ansible_host: 127.0.0.1
                      ansible_port: 2202
                      ansible_ssh_private_key_file: /keys/id
                    other:
            """.utf8), file: "hosts.yml")
        #expect(diagnostics.isEmpty, "\(diagnostics.map(\.summary))")
        let inv = try #require(inventory)
        #expect(inv.nodes.map(\.name) == ["genesis", "follower", "other"])
        #expect(inv.nodes[0].transport == .local)
        #expect(inv.nodes[0].vars["cli"] == .string("/opt/cli"))
        #expect(inv.nodes[1].transport == .ssh(SSHSettings(host: "127.0.0.1", user: "root", port: 2202, identityFile: "/keys/id")))
        #expect(inv.nodes[1].vars["role"] == .string("follower"))
        #expect(inv.nodes[2].transport == .ssh(SSHSettings(host: "other", user: "root")))
        #expect(inv.groups.map(\.name) == ["followers", "all"])
        #expect(inv.group(named: "all")?.members == ["genesis", "followers"])
        #expect(inv.group(named: "followers")?.members == ["follower", "other"])
    }

    @Test func ansibleUnknownKeyIsLocated() {
        let source = MarkedSource("all:\n  1️⃣host:\n    a:\n")
        let (_, diagnostics) = InventoryDecoder.decode(bytes: source.bytes, file: "hosts.yml")
        #expect(errorPlaces(diagnostics) == ["plan.unknown-key@\(source["1️⃣"])"])
        #expect(diagnostics.first?.fixIt == "hosts")
    }

    @Test func mergeReplacesSameNamedAndAddsOthers() {
        let plan = Inventory(nodes: [NodeDeclaration(name: "a"), NodeDeclaration(name: "b")], groups: [GroupDeclaration(name: "all", members: ["a", "b"])])
        let file = Inventory(nodes: [NodeDeclaration(name: "b", transport: .ssh(SSHSettings(host: "h"))), NodeDeclaration(name: "c")],
                             groups: [GroupDeclaration(name: "all", members: ["a", "b", "c"])])
        let merged = InventoryDecoder.merge(plan: plan, file: file)
        #expect(merged.nodes.map(\.name) == ["a", "b", "c"])
        #expect(merged.nodes[1].transport == .ssh(SSHSettings(host: "h")))
        #expect(merged.groups.map(\.members) == [["a", "b", "c"]])
    }

    @Test func emptyInventoryFile() {
        let (inventory, diagnostics) = InventoryDecoder.decode(bytes: [], file: "e.yaml")
        #expect(inventory == nil)
        #expect(diagnostics.map(\.id) == [.inventoryEmpty])
    }
}
