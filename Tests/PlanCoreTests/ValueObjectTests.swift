import PlanCore
import Testing

/// `Value.Object` finds a key by comparing when small and through its index when large: both give the same
/// answers, in insertion order, across the size where it switches, and back down after removals.
struct ValueObjectTests {
    @Test(arguments: [1, 7, 8, 9, 10, 40])
    func setGetRemoveAcrossTheIndexedSize(size: Int) {
        var object = Value.Object()
        for i in 0..<size { object["k\(i)"] = .int(i) }
        object["k0"] = .string("again")  // replacing keeps the position
        #expect(object.count == size)
        #expect(object.keys == (0..<size).map { "k\($0)" })
        for i in 1..<size { #expect(object["k\(i)"] == .int(i)) }
        #expect(object["k0"] == .string("again"))
        #expect(object["missing"] == nil)

        // Remove every other key: positions after each removal still answer, and the order holds.
        for i in stride(from: 0, to: size, by: 2) { object["k\(i)"] = nil }
        let left = (0..<size).filter { $0 % 2 == 1 }
        #expect(object.keys == left.map { "k\($0)" })
        for i in left { #expect(object["k\(i)"] == .int(i)) }
        for i in stride(from: 0, to: size, by: 2) { #expect(object["k\(i)"] == nil) }

        // Grow again past the indexed size: new keys go to the end.
        for i in 100..<112 { object["k\(i)"] = .int(i) }
        #expect(object.keys == left.map { "k\($0)" } + (100..<112).map { "k\($0)" })
        for i in 100..<112 { #expect(object["k\(i)"] == .int(i)) }
        #expect(object == Value.Object(Array(zip(object.keys, object.values))))
    }
}
