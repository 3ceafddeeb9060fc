import PlanYAML

/// Reads inventories: the plan's own `inventory:` section, and `--inventory FILE` in planrun's format
/// (`nodes:`/`groups:`) or Ansible's YAML inventory format (`all: { hosts: …, children: … }`).
public enum InventoryDecoder {
    /// Decodes an inventory file; the format is told by its top-level keys.
    public static func decode(bytes: [UInt8], file: String) -> (Inventory?, [Diagnostic]) {
        let (root, yamlProblems) = YAMLComposer.compose(bytes, file: file)
        var context = DecodingContext(file: file)
        context.append(yamlProblems)
        guard let root else {
            if !yamlProblems.hasErrors {
                context.report(.inventoryEmpty, "the inventory file is empty", at: SourceRange(line: 1, column: 1))
            }
            return (nil, context.diagnostics)
        }
        let keys = root.mapping?.compactMap(\.key.scalar) ?? []
        var inventory: Inventory?
        if keys.isEmpty || keys.contains(where: { InventoryKey(rawValue: $0) != nil }) {
            inventory = decodeNative(root, context: &context)
        } else {
            inventory = AnsibleInventory.decode(root, context: &context)
        }
        // Merged into a plan, a group still points into this file for the rules that check its members.
        for i in inventory?.groups.indices ?? 0..<0 { inventory?.groups[i].file = file }
        return (inventory, context.diagnostics)
    }

    /// Decodes an inventory file from disk.
    public static func decode(path: String) -> (Inventory?, [Diagnostic]) {
        guard let bytes = SourceFile.read(path) else {
            return (nil, [Diagnostic(.inventoryUnreadable, "cannot read inventory file '\(path)'", file: path, at: .unknown)])
        }
        return decode(bytes: bytes, file: path)
    }

    /// The plan's inventory with the file's: file nodes and groups replace same-named ones, others are added.
    public static func merge(plan: Inventory, file: Inventory) -> Inventory {
        var merged = plan
        for node in file.nodes {
            if let index = merged.nodes.firstIndex(where: { $0.name == node.name }) {
                merged.nodes[index] = node
            } else {
                merged.nodes.append(node)
            }
        }
        for group in file.groups {
            if let index = merged.groups.firstIndex(where: { $0.name == group.name }) {
                merged.groups[index] = group
            } else {
                merged.groups.append(group)
            }
        }
        return merged
    }

    /// planrun's own format: `nodes: { NAME: { transport, host, … } }`, `groups: { NAME: [members] }`.
    static func decodeNative(_ node: YAMLNode, context: inout DecodingContext) -> Inventory {
        var inventory = Inventory()
        guard !node.isNull, let pairs = context.mapping(node, expected: "a mapping with 'nodes' and 'groups'") else {
            return inventory
        }
        for (key, keyNode, value) in pairs {
            guard let field = InventoryKey(rawValue: key) else {
                context.unknownKey(key, at: keyNode, among: InventoryKey.self, in: "the inventory")
                continue
            }
            switch field {
            case .nodes:
                guard !value.isNull, let nodes = context.mapping(value, expected: "a mapping of node names") else { continue }
                for (name, nameNode, body) in nodes {
                    if let decoded = decodeNode(name: name, nameNode: nameNode, body: body, context: &context) {
                        inventory.nodes.append(decoded)
                    }
                }
            case .groups:
                guard !value.isNull, let groups = context.mapping(value, expected: "a mapping of group names") else { continue }
                for (name, nameNode, members) in groups {
                    guard let list = context.stringList(members) else { continue }
                    inventory.groups.append(
                        GroupDeclaration(
                            name: name, members: list.map(\.0), memberRanges: list.map(\.1), range: nameNode.range))
                }
            }
        }
        return inventory
    }

    private static func decodeNode(
        name: String, nameNode: YAMLNode, body: YAMLNode, context: inout DecodingContext
    ) -> NodeDeclaration? {
        var declaration = NodeDeclaration(name: name, range: nameNode.range)
        if body.isNull { return declaration }
        guard let pairs = context.mapping(body, expected: "a node's mapping (transport, host, …)") else { return nil }
        var isSSH: Bool?
        var transportNode: YAMLNode?
        var host: String?
        var user: String?
        var port: Int?
        var identity: String?
        var options: [SSHSettings.Option] = []
        // Connection settings are read before any input exists: `${{ … }}` here would be taken literally.
        func literal(_ text: String?, _ key: String, _ node: YAMLNode) -> String? {
            guard let text, TemplateParser.hasOpener(text) else { return text }
            context.report(
                .planType, "'\(key)' is read as written, before inputs exist: it cannot hold an expression; give nodes by name in an --inventory file instead",
                at: node.range)
            return nil
        }
        var sshKeys: [YAMLNode] = []
        for (key, keyNode, value) in pairs {
            guard let field = NodeKey(rawValue: key) else {
                context.unknownKey(key, at: keyNode, among: NodeKey.self, in: "node '\(name)'")
                continue
            }
            if field.isSSHOnly { sshKeys.append(keyNode) }
            switch field {
            case .transport:
                transportNode = value
                isSSH = context.word(value, among: [("local", false), ("ssh", true)], what: "transport")
            case .host: host = literal(context.string(value), key, value)
            case .user: user = literal(context.string(value), key, value)
            case .port:
                port = context.int(value, expected: "a port number")
                if let number = port, !(1...65535).contains(number) {
                    context.report(.planOutOfRange, "a port number is 1 to 65535, found \(number)", at: value.range)
                    port = nil
                }
            case .identityFile: identity = literal(context.string(value), key, value)
            case .sshOptions:
                guard !value.isNull, let entries = context.mapping(value, expected: "a mapping of OpenSSH options") else { continue }
                for (option, _, optionValue) in entries {
                    if let text = context.string(optionValue) { options.append(.init(name: option, value: text)) }
                }
            case .vars:
                guard !value.isNull else { continue }
                if case .object(let vars) = ScalarTyping.value(value) {
                    declaration.vars = vars
                } else {
                    context.typeError(expected: "a mapping of variables", found: value)
                }
            }
        }
        // A node with a host and no transport is reached over SSH; one with neither runs here.
        let ssh = isSSH ?? (host != nil)
        if ssh {
            guard let host else {
                if transportNode != nil || isSSH == nil {
                    context.missingKey("host", in: "node '\(name)' with transport ssh", at: nameNode.range)
                }
                return declaration
            }
            declaration.transport = .ssh(
                SSHSettings(host: host, user: user, port: port, identityFile: identity, options: options))
        } else if isSSH == false {
            for keyNode in sshKeys {
                context.report(
                    .planTransport, "key '\(keyNode.scalar ?? "")' applies to transport ssh, but node '\(name)' is local",
                    at: keyNode.range)
            }
        }
        return declaration
    }
}
