/// The finished children of all open collections, in one growing buffer they are moved out of.
///
/// A closing collection takes the tail that belongs to it. Moving nodes out, instead of copying them and
/// then dropping the originals, saves a retain and a release per node, which is a good part of the
/// composer's own cost on a large plan.
final class NodeBuffer {
    private var storage: UnsafeMutablePointer<YAMLNode>
    private var capacity: Int
    private(set) var count = 0

    init() {
        capacity = 64
        storage = .allocate(capacity: capacity)
    }

    deinit {
        storage.deinitialize(count: count)
        storage.deallocate()
    }

    @inline(__always)
    func append(_ node: consuming YAMLNode) {
        if count == capacity {
            let larger = UnsafeMutablePointer<YAMLNode>.allocate(capacity: capacity * 2)
            larger.moveInitialize(from: storage, count: count)
            storage.deallocate()
            storage = larger
            capacity *= 2
        }
        (storage + count).initialize(to: node)
        count += 1
    }

    /// Moves the nodes from `base` on into a list, in order.
    func takeItems(from base: Int) -> [YAMLNode] {
        let taken = count - base
        guard taken > 0 else { return [] }
        let source = storage + base
        count = base
        return [YAMLNode](unsafeUninitializedCapacity: taken) { items, initialized in
            items.baseAddress!.moveInitialize(from: source, count: taken)
            initialized = taken
        }
    }

    /// Moves the nodes from `base` on into key-value pairs, in order (key, value, key, value, …).
    func takePairs(from base: Int) -> [YAMLNode.Pair] {
        let taken = count - base
        count = base
        let source = storage + base
        // libyaml always closes a mapping after a value; a lone key would only be dropped.
        if taken % 2 == 1 { (source + taken - 1).deinitialize(count: 1) }
        let pairCount = taken / 2
        guard pairCount > 0 else { return [] }
        return [YAMLNode.Pair](unsafeUninitializedCapacity: pairCount) { pairs, initialized in
            for index in 0..<pairCount {
                let key = (source + 2 * index).move()
                let value = (source + 2 * index + 1).move()
                (pairs.baseAddress! + index).initialize(to: YAMLNode.Pair(key: key, value: value))
            }
            initialized = pairCount
        }
    }
}
