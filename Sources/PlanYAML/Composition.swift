import CLibYAML

/// The composer's state while it reads one stream's events: the open collections, their finished children,
/// the anchors seen so far, the alias budget spent and the diagnostics.
///
/// Children of all open collections share one buffer (`children`), each collection remembering where its own
/// children begin; a finished collection moves its tail out into an exact-size array. (The buffer is a class,
/// so a `Composition` is used in place and never copied.) Every open collection also counts
/// the nodes and scalar bytes beneath it, aliases expanded, so that an anchor knows its size and an alias costs
/// O(1) to account.
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
        /// For a sequence the watcher watches, the keys that lead to it: its items are offered with them.
        var watchedKeys: [String]?
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
    private let children = NodeBuffer()
    private var anchors: [String: Anchor] = [:]
    private var aliasExpansion = 0
    private var aliasExpansionBytes = 0
    private var documents = 0
    private let watcher: ComposeWatcher?
    /// `watcher.path`, read once: it is compared whenever a sequence opens at the watched depth.
    private let watchedPath: [String?]

    init(limits: YAMLLimits, file: String?, watcher: ComposeWatcher? = nil) {
        self.limits = limits
        self.file = file
        self.watcher = watcher
        watchedPath = watcher?.path ?? []
    }

    /// The document's root, or nil when the stream held none or composing failed.
    var node: YAMLNode? { failed ? nil : root }

    /// Records an error that ends composing.
    mutating func fail(_ diagnostic: Diagnostic) {
        diagnostics.append(diagnostic)
        failed = true
    }

    /// Takes one event; `.stop` when the stream ended or an error means reading on is pointless or unsafe.
    mutating func handle(_ event: YAMLEvent) -> Step {
        switch event.type {
        case YAML_SCALAR_EVENT:
            let bytes = event.value
            let length = bytes.count
            let text = length == 0 ? "" : String(decoding: bytes, as: UTF8.self)
            let style = Self.style(event.style)
            let range = SourceRange(from: event.start, to: event.end)
            let tag = Self.tag(event.tag)
            let mergeKey = style == .plain && length == 2 && bytes[0] == 0x3C && bytes[1] == 0x3C
            if event.anchor == nil, !mergeKey, let top = frames.indices.last {
                // The usual scalar: built straight into its parent's buffer, never copied.
                frames[top].nodeCount += 1
                frames[top].byteCount += length
                children.append(YAMLNode(.scalar(text, style), range: range, tag: tag))
            } else {
                let node = YAMLNode(.scalar(text, style), range: range, tag: tag)
                complete(node, nodeCount: 1, byteCount: length, anchor: Self.name(event.anchor), mergeKey: mergeKey)
            }
        case YAML_SEQUENCE_START_EVENT:
            return open(event, isMapping: false, tag: Self.tag(event.tag), anchor: Self.name(event.anchor))
        case YAML_MAPPING_START_EVENT:
            return open(event, isMapping: true, tag: Self.tag(event.tag), anchor: Self.name(event.anchor))
        case YAML_SEQUENCE_END_EVENT:
            let frame = frames.removeLast()
            let items = children.takeItems(from: frame.base)
            let node = YAMLNode(
                .sequence(items), range: SourceRange(from: frame.start, to: event.end), tag: frame.tag)
            complete(node, nodeCount: frame.nodeCount, byteCount: frame.byteCount, anchor: frame.anchor)
        case YAML_MAPPING_END_EVENT:
            let frame = frames.removeLast()
            let written = children.takePairs(from: frame.base)
            let pairs = MappingAssembly.assemble(
                written, hasMergeKey: frame.hasMergeKey, file: file, diagnostics: &diagnostics)
            let node = YAMLNode(
                .mapping(pairs), range: SourceRange(from: frame.start, to: event.end), tag: frame.tag)
            complete(node, nodeCount: frame.nodeCount, byteCount: frame.byteCount, anchor: frame.anchor)
        case YAML_ALIAS_EVENT:
            return alias(event)
        case YAML_DOCUMENT_START_EVENT:
            documents += 1
            if documents > 1 {
                // The rest of the stream is not read: it is not part of the plan, and may be large.
                diagnostics.append(
                    Diagnostic(
                        .yamlMultipleDocuments, "a second YAML document starts here; a file holds exactly one",
                        file: file, at: SourceRange(from: event.start, to: event.end)))
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
    private mutating func open(_ event: YAMLEvent, isMapping: Bool, tag: String?, anchor: String?) -> Step {
        guard frames.count < limits.maxDepth else {
            fail(
                Diagnostic(
                    .yamlTooDeep, "nesting is deeper than the limit of \(limits.maxDepth) levels", file: file,
                    at: SourceRange(from: event.start, to: event.end)))
            return .stop
        }
        frames.append(
            Frame(isMapping: isMapping, start: event.start, tag: tag, anchor: anchor, base: children.count))
        if watcher != nil, !isMapping, frames.count == watchedPath.count + 1 {
            frames[frames.count - 1].watchedKeys = watchedKeys()
        }
        return .proceed
    }

    /// Copies the anchored node, charging its size to the alias budget first.
    private mutating func alias(_ event: YAMLEvent) -> Step {
        let name = Self.name(event.anchor) ?? ""
        let range = SourceRange(from: event.start, to: event.end)
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
        guard !frames.isEmpty else {
            root = consume node
            return
        }
        let top = frames.count - 1
        if mergeKey, frames[top].isMapping, (children.count - frames[top].base) & 1 == 0 {
            frames[top].hasMergeKey = true
        }
        if let watcher, let keys = frames[top].watchedKeys, node.aliasRange == nil {
            watcher.offer(copy node, keys: keys, list: SourceLocation(mark: frames[top].start))
        }
        frames[top].nodeCount += nodeCount
        frames[top].byteCount += byteCount
        children.append(consume node)
    }

    /// The keys leading to the innermost open collection when they match the watcher's path: each mapping on
    /// the way holds the next collection as a value (after its key, at an odd position among its children).
    /// Worked out once, when a sequence at the watched depth opens.
    private func watchedKeys() -> [String]? {
        var keys: [String] = []
        keys.reserveCapacity(watchedPath.count)
        for (level, wanted) in watchedPath.enumerated() {
            let frame = frames[level]
            let valueAt = frames[level + 1].base
            guard frame.isMapping, (valueAt - frame.base) & 1 == 1, let key = children[valueAt - 1].scalar,
                wanted == nil || wanted == key
            else { return nil }
            keys.append(key)
        }
        return keys
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
    private static func tag(_ pointer: UnsafePointer<yaml_char_t>?) -> String? {
        guard let pointer else { return nil }
        if pointer[0] == UInt8(ascii: "!"), pointer[1] == 0 { return nil }
        return String(cString: pointer)
    }

    private static func name(_ pointer: UnsafePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: $0) }
    }
}
