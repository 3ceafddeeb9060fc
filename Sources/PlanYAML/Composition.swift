import CLibYAML

/// The composer's state while it reads one stream's events: the open collections, their finished children,
/// the anchors seen so far, the alias budget spent and the diagnostics.
///
/// Children of all open collections share one array (`children`), each collection remembering where its own
/// children begin. A finished collection takes its tail out, last child first (then reversed), into an array
/// reserved at exactly its size: its array never grows by reallocation, and no capacity is left over (arrays
/// grown child by child made a 5,000-step plan's tree a tenth larger and validating it 8% slower). Every open
/// collection also counts the nodes and scalar bytes beneath it, aliases expanded, so that an anchor knows its
/// size and an alias costs O(1) to account.
struct Composition {
    enum Step { case proceed, stop }

    private struct Frame {
        var isMapping: Bool
        var start: yaml_mark_t
        var tag: String?
        var anchor: String?
        /// Where this collection's children start in `children`.
        var base: Int
        /// Nodes in this subtree so far, itself included and aliases expanded.
        var nodeCount = 1
        /// Bytes of scalar text in this subtree so far, aliases expanded.
        var byteCount = 0
        var hasMergeKey = false
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
    private var children: [YAMLNode] = []
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
            let frame = frames.removeLast()
            var items: [YAMLNode] = []
            items.reserveCapacity(children.count - frame.base)
            while children.count > frame.base { items.append(children.removeLast()) }
            items.reverse()
            let node = YAMLNode(.sequence(items), range: SourceRange(from: frame.start, to: event.end_mark), tag: frame.tag)
            complete(node, nodeCount: frame.nodeCount, byteCount: frame.byteCount, anchor: frame.anchor)
        case YAML_MAPPING_END_EVENT:
            let frame = frames.removeLast()
            // libyaml always closes a mapping after a value, so the children come in whole pairs.
            var written: [YAMLNode.Pair] = []
            written.reserveCapacity((children.count - frame.base) / 2)
            while children.count > frame.base {
                let value = children.removeLast()
                written.append(YAMLNode.Pair(key: children.removeLast(), value: value))
            }
            written.reverse()
            let pairs = MappingAssembly.assemble(
                written, hasMergeKey: frame.hasMergeKey, file: file, diagnostics: &diagnostics)
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
        frames.append(Frame(isMapping: isMapping, start: event.start_mark, tag: tag, anchor: anchor, base: children.count))
        return .proceed
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
        guard let top = frames.indices.last else {
            root = node
            return
        }
        // A merge key counts only where a key stands: at an even position among the mapping's children.
        if mergeKey, frames[top].isMapping, (children.count - frames[top].base) % 2 == 0 {
            frames[top].hasMergeKey = true
        }
        frames[top].nodeCount += nodeCount
        frames[top].byteCount += byteCount
        children.append(node)
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
