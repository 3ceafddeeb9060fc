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
        reserveOne()
        (storage + count).initialize(to: node)
        count += 1
    }

    @inline(__always)
    private func reserveOne() {
        guard count == capacity else { return }
        let larger = UnsafeMutablePointer<YAMLNode>.allocate(capacity: capacity * 2)
        larger.moveInitialize(from: storage, count: count)
        storage.deallocate()
        storage = larger
        capacity *= 2
    }

    /// A node still in the buffer (a key of an open mapping, say).
    subscript(index: Int) -> YAMLNode { storage[index] }

    /// Moves the nodes from `base` on into a list, in order.
    func takeItems(from base: Int) -> [YAMLNode] {
        let taken = count - base
        guard taken > 0 else { return [] }
        let source = storage + base
        count = base
        // `reserveCapacity` and `append` are specialized here; `Array(unsafeUninitializedCapacity:)` went
        // through the unspecialized library code, which looks the storage type up at every call.
        var items: [YAMLNode] = []
        items.reserveCapacity(taken)
        for index in 0..<taken { items.append((source + index).move()) }
        return items
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
        var pairs: [YAMLNode.Pair] = []
        pairs.reserveCapacity(pairCount)
        for index in 0..<pairCount {
            pairs.append(YAMLNode.Pair(key: (source + 2 * index).move(), value: (source + 2 * index + 1).move()))
        }
        return pairs
    }
}
