/// Turns a mapping's pairs, as written, into the pairs a reader sees: duplicates dropped, merge keys expanded.
///
/// A duplicate key is an error at the second occurrence, with a note at the first; the second pair is dropped
/// so that later stages see each key once and do not report it again. A merge key `<<` brings in the pairs of
/// a mapping, or of each mapping in a list (earlier ones win), at its own position, but only keys that the
/// mapping does not define itself: explicit keys win wherever they stand, and merged keys are never
/// duplicates. A merge value that is not a mapping or a list of mappings is an error and merges nothing.
enum MappingAssembly {
    static let mergeTag = "tag:yaml.org,2002:merge"

    static func assemble(
        _ written: consuming [YAMLNode.Pair], hasMergeKey: Bool, file: String?, diagnostics: inout [Diagnostic]
    ) -> [YAMLNode.Pair] {
        guard written.count > 1 || hasMergeKey else { return written }
        if !hasMergeKey, !mayHaveDuplicates(written) { return written }
        var explicit = KeyIndex()
        var pairs: [YAMLNode.Pair] = []
        pairs.reserveCapacity(written.count)
        for pair in written {
            if let first = explicit.position(of: pair.key) {
                diagnostics.append(duplicate(pair.key, first: pairs[first].key, file: file))
                continue
            }
            explicit.insert(pair.key, at: pairs.count)
            pairs.append(pair)
        }
        guard hasMergeKey else { return pairs }
        return merged(pairs, explicit: explicit, file: file, diagnostics: &diagnostics)
    }

    /// False when the keys are certainly distinct: all scalars, and few enough (most mappings) to compare
    /// pairwise, since hashing every key of every mapping was a twentieth of validating a large plan. The keys
    /// are compared where they stand (collecting them in an array of their own cost as much as the comparing).
    private static func mayHaveDuplicates(_ pairs: borrowing [YAMLNode.Pair]) -> Bool {
        guard pairs.count <= 16 else { return true }
        for i in pairs.indices {
            guard case .scalar(let text, _) = pairs[i].key.content else { return true }
            for j in 0..<i {
                // Lengths first: most keys of a mapping differ in length, and those compare without a call.
                if case .scalar(let earlier, _) = pairs[j].key.content, earlier.utf8.count == text.utf8.count,
                    earlier == text
                {
                    return true
                }
            }
        }
        return false
    }

    /// Whether `key` is the merge key: a plain `<<`, untagged or tagged `!!merge`.
    static func isMergeKey(_ key: YAMLNode) -> Bool {
        guard case .scalar("<<", .plain) = key.content else { return false }
        return key.tag == nil || key.tag == mergeTag
    }

    private static func merged(
        _ pairs: [YAMLNode.Pair], explicit: KeyIndex, file: String?, diagnostics: inout [Diagnostic]
    ) -> [YAMLNode.Pair] {
        var result: [YAMLNode.Pair] = []
        var mergedKeys = KeyIndex()
        for pair in pairs {
            guard isMergeKey(pair.key) else {
                result.append(pair)
                continue
            }
            guard let sources = mergeSources(pair.value, file: file, diagnostics: &diagnostics) else { continue }
            for source in sources {
                for var entry in source.mapping ?? [] {
                    guard explicit.position(of: entry.key) == nil, mergedKeys.position(of: entry.key) == nil
                    else { continue }
                    mergedKeys.insert(entry.key, at: result.count)
                    // A merged entry is written at the anchor; diagnostics about it should also name the alias.
                    if let via = source.aliasRange {
                        if entry.key.aliasRange == nil { entry.key.aliasRange = via }
                        if entry.value.aliasRange == nil { entry.value.aliasRange = via }
                    }
                    result.append(entry)
                }
            }
        }
        return result
    }

    /// The mappings a merge value brings in, or nil (and an error) when it is anything else.
    private static func mergeSources(_ value: YAMLNode, file: String?, diagnostics: inout [Diagnostic])
        -> [YAMLNode]?
    {
        switch value.content {
        case .mapping:
            return [value]
        case .sequence(let items):
            if let bad = items.first(where: { $0.mapping == nil }) {
                diagnostics.append(badMerge(bad, inList: true, file: file))
                return nil
            }
            return items
        case .scalar:
            diagnostics.append(badMerge(value, inList: false, file: file))
            return nil
        }
    }

    private static func duplicate(_ key: YAMLNode, first: YAMLNode, file: String?) -> Diagnostic {
        let name = key.scalar.map { "duplicate key '\($0)'" } ?? "duplicate key"
        return Diagnostic(
            .yamlDuplicateKey, name, file: file, at: key.aliasRange ?? key.range,
            notes: [Diagnostic.Note("first defined here", at: first.aliasRange ?? first.range)])
    }

    private static func badMerge(_ node: YAMLNode, inList: Bool, file: String?) -> Diagnostic {
        let found = node.kindDescription
        let message =
            inList
            ? "merge key '<<' takes a list of mappings, but this item is \(found)"
            : "merge key '<<' takes a mapping or a list of mappings, found \(found)"
        return Diagnostic(.yamlBadMerge, message, file: file, at: node.aliasRange ?? node.range)
    }
}
