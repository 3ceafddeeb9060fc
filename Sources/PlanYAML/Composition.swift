import CLibYAML

/// The composer's state while it reads one stream's events: the open collections, their finished children,
/// the anchors seen so far, the alias budget spent and the diagnostics.
///
/// Each open collection keeps its own finished children (a sequence's items, a mapping's pairs and the key
/// waiting for its value), and its array becomes the node's: nothing is copied out of a shared stack when it
/// ends. It reserves as many slots as the last collection finished at its depth had, since siblings tend to be
/// alike (the steps of a list, each step's `capture:`): grown child by child instead, a 5,000-step plan's tree
/// was a tenth larger and validating it 8% slower. Every open collection also counts the nodes and scalar bytes
/// beneath it, aliases expanded, so that an anchor knows its size and an alias costs O(1) to account.
struct Composition {
    enum Step { case proceed, stop }

    private struct Frame {
        var isMapping: Bool
        var start: yaml_mark_t
        var tag: String?
        var anchor: String?
        /// Nodes in this subtree so far, itself included and aliases expanded.
        var nodeCount = 1
        /// Bytes of scalar text in this subtree so far, aliases expanded.
        var byteCount = 0
        var hasMergeKey = false
        /// A sequence's items so far.
        var items: [YAMLNode] = []
        /// A mapping's pairs so far, as written.
        var pairs: [YAMLNode.Pair] = []
        /// A mapping's key whose value has not ended yet.
        var key: YAMLNode?

        /// The children so far.
        var count: Int { isMapping ? pairs.count : items.count }

        /// Takes a finished child: an item, a key, or the value that completes a pair.
        mutating func add(_ node: consuming YAMLNode, nodeCount: Int, byteCount: Int, mergeKey: Bool) {
            self.nodeCount += nodeCount
            self.byteCount += byteCount
            if !isMapping {
                items.append(node)
            } else if let key = key.take() {
                pairs.append(YAMLNode.Pair(key: key, value: node))
            } else {
                // A merge key counts only where a key stands.
                if mergeKey { hasMergeKey = true }
                key = node
            }
        }
    }

    private struct Anchor {
        var node: YAMLNode
        var nodeCount: Int
        var byteCount: Int
    }

    let limits: YAMLLimits
    let file: String?
    private(set) var diagnostics: [Diagnostic] = []
    private var root: YAMLNode?
    /// Set by an error that leaves no usable tree (syntax, limits, unknown alias).
    private var failed = false
    private var frames: [Frame] = []
    /// `lastCount[depth]`: how many children the last collection finished at that depth had.
    private var lastCount: [Int] = []
    private var anchors: [String: Anchor] = [:]
    private var aliasExpansion = 0
    private var aliasExpansionBytes = 0
    private var documents = 0

    init(limits: YAMLLimits, file: String?) {
        self.limits = limits
        self.file = file
    }

    /// The document's root, or nil when the stream held none or composing failed.
    var node: YAMLNode? { failed ? nil : root }

    /// Records an error that ends composing.
    mutating func fail(_ diagnostic: Diagnostic) {
        diagnostics.append(diagnostic)
        failed = true
    }

    /// Takes one libyaml event; `.stop` when the stream ended or an error means reading on is pointless or
    /// unsafe. The event's text is copied out: libyaml frees it after this returns.
    mutating func handle(_ event: yaml_event_t) -> Step {
        let range = SourceRange(from: event.start_mark, to: event.end_mark)
        switch event.type {
        case YAML_SCALAR_EVENT:
            let scalar = event.data.scalar
            let bytes = UnsafeBufferPointer(start: scalar.value, count: Int(scalar.length))
            let style = Self.style(scalar.style)
            // Byte by byte: `elementsEqual` on a `String.UTF8View` was a twentieth of composing.
            let mergeKey = style == .plain && bytes.count == 2 && bytes[0] == UInt8(ascii: "<") && bytes[1] == UInt8(ascii: "<")
            let node = YAMLNode(.scalar(String(decoding: bytes, as: UTF8.self), style), range: range, tag: Self.tag(scalar.tag))
            complete(node, nodeCount: 1, byteCount: bytes.count, anchor: Self.name(scalar.anchor), mergeKey: mergeKey)
        case YAML_SEQUENCE_START_EVENT:
            let start = event.data.sequence_start
            return open(event, isMapping: false, tag: Self.tag(start.tag), anchor: Self.name(start.anchor))
        case YAML_MAPPING_START_EVENT:
            let start = event.data.mapping_start
            return open(event, isMapping: true, tag: Self.tag(start.tag), anchor: Self.name(start.anchor))
        case YAML_SEQUENCE_END_EVENT:
            let frame = close()
            let node = YAMLNode(.sequence(frame.items), range: SourceRange(from: frame.start, to: event.end_mark), tag: frame.tag)
            complete(node, nodeCount: frame.nodeCount, byteCount: frame.byteCount, anchor: frame.anchor)
        case YAML_MAPPING_END_EVENT:
            // libyaml always closes a mapping after a value, so no key is left waiting.
            let frame = close()
            let pairs = MappingAssembly.assemble(
                frame.pairs, hasMergeKey: frame.hasMergeKey, file: file, diagnostics: &diagnostics)
            let node = YAMLNode(.mapping(pairs), range: SourceRange(from: frame.start, to: event.end_mark), tag: frame.tag)
            complete(node, nodeCount: frame.nodeCount, byteCount: frame.byteCount, anchor: frame.anchor)
        case YAML_ALIAS_EVENT:
            return alias(Self.name(event.data.alias.anchor) ?? "", at: range)
        case YAML_DOCUMENT_START_EVENT:
            documents += 1
            if documents > 1 {
                // The rest of the stream is not read: it is not part of the plan, and may be large.
                diagnostics.append(
                    Diagnostic(
                        .yamlMultipleDocuments, "a second YAML document starts here; a file holds exactly one",
                        file: file, at: range))
                return .stop
            }
        case YAML_STREAM_END_EVENT:
            return .stop
        default:
            break
        }
        return .proceed
    }

    /// Opens a sequence or mapping, unless it would nest deeper than the limit.
    private mutating func open(_ event: yaml_event_t, isMapping: Bool, tag: String?, anchor: String?) -> Step {
        guard frames.count < limits.maxDepth else {
            fail(
                Diagnostic(
                    .yamlTooDeep, "nesting is deeper than the limit of \(limits.maxDepth) levels", file: file,
                    at: SourceRange(from: event.start_mark, to: event.end_mark)))
            return .stop
        }
        var frame = Frame(isMapping: isMapping, start: event.start_mark, tag: tag, anchor: anchor)
        if frames.count < lastCount.count {
            if isMapping { frame.pairs.reserveCapacity(lastCount[frames.count]) } else {
                frame.items.reserveCapacity(lastCount[frames.count])
            }
        }
        frames.append(frame)
        return .proceed
    }

    /// Takes the innermost collection out at its end event, noting its size for the next one at its depth.
    private mutating func close() -> Frame {
        let frame = frames.removeLast()
        while lastCount.count <= frames.count { lastCount.append(0) }
        lastCount[frames.count] = frame.count
        return frame
    }

    /// Copies the anchored node, charging its size to the alias budget first.
    private mutating func alias(_ name: String, at range: SourceRange) -> Step {
        guard let anchor = anchors[name] else {
            fail(Diagnostic(.yamlUnknownAlias, "no anchor '&\(name)' before alias '*\(name)'", file: file, at: range))
            return .stop
        }
        aliasExpansion += anchor.nodeCount
        aliasExpansionBytes += anchor.byteCount
        let over =
            aliasExpansion > limits.maxAliasExpansion ? "\(limits.maxAliasExpansion) nodes"
            : aliasExpansionBytes > limits.maxAliasExpansionBytes ? "\(limits.maxAliasExpansionBytes) bytes of text" : nil
        if let over {
            fail(
                Diagnostic(
                    .yamlAliasBudget, "aliases expand to more than the limit of \(over)", file: file,
                    at: range, notes: [Diagnostic.Note("anchor '&\(name)' defined here", at: anchor.node.range)]))
            return .stop
        }
        var node = anchor.node
        node.aliasRange = range
        complete(node, nodeCount: anchor.nodeCount, byteCount: anchor.byteCount, anchor: nil)
        return .proceed
    }

    /// Hands a finished node to its parent (or makes it the root), then registers its anchor.
    ///
    /// The anchor is registered only now, after the node is complete, so an alias inside a node can never
    /// refer to that node itself and the tree has no cycles.
    private mutating func complete(
        _ node: consuming YAMLNode, nodeCount: Int, byteCount: Int, anchor: String?, mergeKey: Bool = false
    ) {
        if let anchor { anchors[anchor] = Anchor(node: copy node, nodeCount: nodeCount, byteCount: byteCount) }
        if frames.isEmpty {
            root = node
        } else {
            // One mutating call on the innermost frame: element by element, the optimizer copied the frame and
            // the node for every child.
            frames[frames.count - 1].add(node, nodeCount: nodeCount, byteCount: byteCount, mergeKey: mergeKey)
        }
    }

    private static func style(_ style: yaml_scalar_style_t) -> YAMLNode.ScalarStyle {
        switch style {
        case YAML_SINGLE_QUOTED_SCALAR_STYLE: return .singleQuoted
        case YAML_DOUBLE_QUOTED_SCALAR_STYLE: return .doubleQuoted
        case YAML_LITERAL_SCALAR_STYLE: return .literal
        case YAML_FOLDED_SCALAR_STYLE: return .folded
        default: return .plain
        }
    }

    /// libyaml's resolved tag; nil when there is none or it is the non-specific `!`, which says only "not plain".
    private static func tag(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        guard let pointer else { return nil }
        if pointer[0] == UInt8(ascii: "!"), pointer[1] == 0 { return nil }
        return String(cString: pointer)
    }

    private static func name(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: $0) }
    }
}
