import PlanYAML

/// Ansible's YAML inventory: `GROUP: { hosts: { NAME: { ansible_host, … } }, children: { GROUP: … }, vars: … }`.
///
/// Hosts become nodes (`ansible_connection: local` → local, else SSH to `ansible_host`, or the host's name),
/// groups keep their hosts and child groups as members. Group `vars:` apply to the group's hosts, inner groups
/// over outer ones and a host's own variables over both; variables other than `ansible_*` become node vars.
enum AnsibleInventory {
    static let groupKeys = ["hosts", "children", "vars"]

    private struct Host {
        var name: String
        var range: SourceRange
        /// Variable layers, outermost group first, the host's own last.
        var layers: [Value.Object] = []
    }

    private struct Reader {
        var hosts: [Host] = []
        var hostIndex: [String: Int] = [:]
        var groups: [GroupDeclaration] = []
        var groupIndex: [String: Int] = [:]
    }

    static func decode(_ root: YAMLNode, context: inout DecodingContext) -> Inventory? {
        guard let pairs = context.mapping(root, expected: "an inventory mapping") else { return nil }
        var reader = Reader()
        for (name, nameNode, body) in pairs {
            readGroup(name: name, nameNode: nameNode, body: body, inherited: [], into: &reader, context: &context)
        }
        var inventory = Inventory(groups: reader.groups)
        for host in reader.hosts {
            inventory.nodes.append(node(from: host, context: &context))
        }
        return inventory
    }

    private static func readGroup(
        name: String, nameNode: YAMLNode, body: YAMLNode, inherited: [Value.Object],
        into reader: inout Reader, context: inout DecodingContext
    ) {
        var members: [String] = []
        var memberRanges: [SourceRange] = []
        var layers = inherited
        guard body.isNull || body.mapping != nil else {
            context.typeError(expected: "a group mapping with hosts, children or vars", found: body)
            return
        }
        let pairs = body.isNull ? [] : (context.mapping(body, expected: "a group mapping") ?? [])
        // vars first, wherever they stand, so hosts listed before them still get them.
        for (key, _, value) in pairs where key == "vars" {
            if case .object(let vars) = ScalarTyping.value(value) { layers.append(vars) }
            else if !value.isNull { context.typeError(expected: "a mapping of variables", found: value) }
        }
        for (key, keyNode, value) in pairs {
            switch key {
            case "vars": continue
            case "hosts":
                guard !value.isNull, let hosts = context.mapping(value, expected: "a mapping of host names") else { continue }
                for (host, hostNode, hostBody) in hosts {
                    var own = Value.Object()
                    if case .object(let vars) = ScalarTyping.value(hostBody) { own = vars }
                    else if !hostBody.isNull { context.typeError(expected: "a mapping of host variables", found: hostBody) }
                    if let index = reader.hostIndex[host] {
                        reader.hosts[index].layers.append(contentsOf: layers + [own])
                    } else {
                        reader.hostIndex[host] = reader.hosts.count
                        reader.hosts.append(Host(name: host, range: hostNode.range, layers: layers + [own]))
                    }
                    members.append(host)
                    memberRanges.append(hostNode.range)
                }
            case "children":
                guard !value.isNull, let children = context.mapping(value, expected: "a mapping of group names") else { continue }
                for (child, childNode, childBody) in children {
                    readGroup(name: child, nameNode: childNode, body: childBody, inherited: layers, into: &reader, context: &context)
                    members.append(child)
                    memberRanges.append(childNode.range)
                }
            default:
                context.unknownKey(key, at: keyNode, allowed: groupKeys, in: "group '\(name)'")
            }
        }
        if let index = reader.groupIndex[name] {
            reader.groups[index].members += members
            reader.groups[index].memberRanges += memberRanges
        } else {
            reader.groupIndex[name] = reader.groups.count
            reader.groups.append(GroupDeclaration(name: name, members: members, memberRanges: memberRanges, range: nameNode.range))
        }
    }

    private static func node(from host: Host, context: inout DecodingContext) -> NodeDeclaration {
        var merged = Value.Object()
        for layer in host.layers {
            for (key, value) in layer { merged[key] = value }
        }
        func text(_ key: String) -> String? {
            guard let value = merged[key], value != .null else { return nil }
            return value.interpolationText
        }
        var vars = Value.Object()
        for (key, value) in merged where !key.hasPrefix("ansible_") { vars[key] = value }
        var declaration = NodeDeclaration(name: host.name, vars: vars, range: host.range)
        if text("ansible_connection") == "local" { return declaration }
        var port: Int?
        if let value = merged["ansible_port"] {
            switch value {
            case .int(let p) where (1...65535).contains(p): port = p
            case .string(let s) where Int(s).map((1...65535).contains) == true: port = Int(s)
            default:
                context.report(.planType, "expected a port number (1 to 65535) for ansible_port of host '\(host.name)'", at: host.range)
            }
        }
        declaration.transport = .ssh(
            SSHSettings(
                host: text("ansible_host") ?? host.name, user: text("ansible_user"), port: port,
                identityFile: text("ansible_ssh_private_key_file")))
        return declaration
    }
}
