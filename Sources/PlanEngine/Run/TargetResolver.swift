/// Turns a step's `target:` into node names: groups expanded (recursively), duplicates dropped, order kept,
/// and only the nodes of `--limit` kept when it is given.
struct TargetResolver: Sendable {
    let inventory: Inventory
    /// The node names `--limit` allows; nil allows every node.
    var limit: Set<String>? = nil
    /// The inventory's nodes by name (the first of a name, where a name repeats): a group of a
    /// thousand nodes is expanded by a thousand look-ups, each of which went through every node.
    private let nodesByName: [String: NodeDeclaration]

    init(inventory: Inventory, limit: Set<String>? = nil) {
        self.inventory = inventory
        self.limit = limit
        nodesByName = Dictionary(inventory.nodes.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Why a target names no usable node; thrown by every method here, so callers read it without casting.
    struct Failure: Error {
        var message: String
        /// The name that is neither a node nor a group, and the closest one that is.
        var unknown: String? = nil
        var suggestion: String? = nil
    }

    func resolve(_ target: Target?, scope: Value.Object) throws(Failure) -> [NodeDeclaration] {
        guard let target else {
            guard inventory.nodes.count == 1 else {
                throw Failure(message: "the step names no target and the inventory has \(inventory.nodes.count) nodes")
            }
            return inventory.nodes.filter(allowed)
        }
        var names: [String] = []
        switch target {
        case .names(let templates):
            // One node named outright, as most steps target: its declaration, without evaluating the name into a
            // value or expanding it as a group (with the same shortcut in `TargetCheck`, 14 k instructions of a
            // trivial step's 235 k).
            if templates.count == 1, let name = templates[0].literalText, let node = nodesByName[name] {
                return allowed(node) ? [node] : []
            }
            for template in templates {
                let value: Value
                do { value = try template.evaluate(in: scope) } catch {
                    throw Failure(message: "target: \(error.message)")
                }
                names += try Self.names(in: value)
            }
        }
        return try expand(names).filter(allowed)
    }

    /// The nodes `names` stand for, groups expanded, in order and without repeats; unknown names throw.
    func expand(_ names: [String]) throws(Failure) -> [NodeDeclaration] {
        var seen = Set<String>()
        var out: [NodeDeclaration] = []
        for name in names {
            for node in try expand(name, depth: 0) where seen.insert(node.name).inserted { out.append(node) }
        }
        return out
    }

    /// Whether `name` is a node of the inventory (not a group).
    func isNode(_ name: String) -> Bool { nodesByName[name] != nil }

    /// A node by name, for `fallback_node:`.
    func node(_ name: String) throws(Failure) -> NodeDeclaration {
        guard let node = nodesByName[name] else { throw unknown(name) }
        guard allowed(node) else { throw Failure(message: "node '\(name)' is outside --limit") }
        return node
    }

    private func allowed(_ node: NodeDeclaration) -> Bool {
        limit?.contains(node.name) ?? true
    }

    static func names(in value: Value) throws(Failure) -> [String] {
        switch value {
        case .string(let s): return [s]
        case .array(let items):
            var names: [String] = []
            for item in items { names += try Self.names(in: item) }
            return names
        default: throw Failure(message: "target: expected a node or group name, found \(value.jsonText())")
        }
    }

    /// Each group is expanded once per target, so groups that share subgroups (a diamond) cost their size, not
    /// 2^depth; `validate` rejects cycles and chains deeper than `GroupNestingRule.maxDepth`.
    private func expand(_ name: String, depth: Int) throws(Failure) -> [NodeDeclaration] {
        var expanded = Set<String>()
        return try expand(name, depth: depth, expanded: &expanded)
    }

    private func expand(_ name: String, depth: Int, expanded: inout Set<String>) throws(Failure) -> [NodeDeclaration] {
        if let node = nodesByName[name] { return [node] }
        guard let group = inventory.group(named: name), depth <= GroupNestingRule.maxDepth else { throw unknown(name) }
        guard expanded.insert(name).inserted else { return [] }
        var out: [NodeDeclaration] = []
        for member in group.members { out += try expand(member, depth: depth + 1, expanded: &expanded) }
        return out
    }

    private func unknown(_ name: String) -> Failure {
        let known = inventory.nodes.map(\.name) + inventory.groups.map(\.name)
        var message = "unknown node or group '\(name)'"
        let suggestion = Suggest.closest(to: name, among: known)
        if let suggestion { message += "; did you mean '\(suggestion)'?" }
        message += " (known: \(known.joined(separator: ", ")))"
        return Failure(message: message, unknown: name, suggestion: suggestion)
    }
}
