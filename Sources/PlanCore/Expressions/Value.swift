/// A value of the plan language: inputs, captures, expression results and the result JSON all use it.
///
/// Objects keep their keys in insertion order so the result JSON is the same every time.
///
/// Not `indirect`: arrays and objects already hold their elements out of line, and a box for every value (an
/// `int`, a `string`, each field of a step's result) was a third of the allocations of a trivial step.
public enum Value: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([Value])
    case object(Object)

    /// An insertion-ordered string-keyed map.
    ///
    /// Keys and values are kept in two arrays in insertion order: iterating (every JSON text, every copy of a
    /// record into an event) reads the arrays and hashes nothing. An object of more than `indexedFrom` keys
    /// also keeps a dictionary from each key to its position; a smaller one (a scope, a step's result, a
    /// record: most objects a run builds) finds a key by comparing it with each, which costs less than
    /// hashing it once, and spares the dictionary's allocation.
    public struct Object: Sendable, Hashable, Sequence {
        public private(set) var keys: [String] = []
        public private(set) var values: [Value] = []
        /// Each key's position; empty while there are `indexedFrom` keys or fewer.
        private var positions: [String: Int] = [:]

        /// Above this many keys, an object keeps `positions`.
        static let indexedFrom = 8

        public init() {}

        /// An empty object with room for `minimumCapacity` keys: one that grows a key at a time from empty
        /// reallocates at 1, 2, 4 and 8 (step records and scopes are built that way on every step).
        public init(minimumCapacity: Int) {
            keys.reserveCapacity(minimumCapacity)
            values.reserveCapacity(minimumCapacity)
            if minimumCapacity > Self.indexedFrom { positions.reserveCapacity(minimumCapacity) }
        }

        public init(_ pairs: [(String, Value)]) {
            self.init(minimumCapacity: pairs.count)
            for (key, value) in pairs { self[key] = value }
        }

        private func position(of key: String) -> Int? {
            keys.count > Self.indexedFrom ? positions[key] : keys.firstIndex(of: key)
        }

        public subscript(key: String) -> Value? {
            get { position(of: key).map { values[$0] } }
            set {
                if let newValue {
                    guard keys.count >= Self.indexedFrom else {
                        if let position = keys.firstIndex(of: key) {
                            values[position] = newValue
                        } else {
                            keys.append(key)
                            values.append(newValue)
                        }
                        return
                    }
                    if keys.count == Self.indexedFrom, positions.isEmpty {
                        // Growing past the small size (unless the key is there): index the keys so far.
                        if let position = keys.firstIndex(of: key) {
                            values[position] = newValue
                            return
                        }
                        positions.reserveCapacity(keys.count * 2)
                        for (position, known) in keys.enumerated() { positions[known] = position }
                    }
                    // One hash: the entry is read, or made with the next position, in the same look-up.
                    let position = Self.take(&positions[key, default: keys.count])
                    if position == keys.count {
                        keys.append(key)
                        values.append(newValue)
                    } else {
                        values[position] = newValue
                    }
                } else if let position = position(of: key) {
                    keys.remove(at: position)
                    values.remove(at: position)
                    if keys.count <= Self.indexedFrom {
                        positions = [:]
                    } else {
                        positions.removeValue(forKey: key)
                        for later in position..<keys.count { positions[keys[later]] = later }
                    }
                }
            }
        }

        private static func take(_ position: inout Int) -> Int { position }

        /// Puts `key`, which is not here yet, at `index` (keys from there on move one place on): ordered
        /// objects grow without being rebuilt.
        public mutating func insert(_ value: Value, forKey key: String, at index: Int) {
            guard index < keys.count else {
                self[key] = value
                return
            }
            keys.insert(key, at: index)
            values.insert(value, at: index)
            guard keys.count > Self.indexedFrom else { return }
            for position in (positions.isEmpty ? 0 : index)..<keys.count { positions[keys[position]] = position }
        }

        /// Changes the value at `key` (made `default` first when missing) in place: a nested object changed
        /// through here is not copied while nothing else holds it.
        public mutating func update(_ key: String, default value: @autoclosure () -> Value, _ body: (inout Value) -> Void) {
            if let position = position(of: key) {
                body(&values[position])
            } else {
                self[key] = value()
                body(&values[keys.count - 1])
            }
        }

        public var count: Int { keys.count }
        public var isEmpty: Bool { keys.isEmpty }

        public struct Iterator: IteratorProtocol {
            fileprivate let object: Object
            fileprivate var index = 0

            public mutating func next() -> (key: String, value: Value)? {
                guard index < object.keys.count else { return nil }
                defer { index += 1 }
                return (object.keys[index], object.values[index])
            }
        }

        public func makeIterator() -> Iterator { Iterator(object: self) }

        public static func == (a: Object, b: Object) -> Bool { a.keys == b.keys && a.values == b.values }
        public func hash(into hasher: inout Hasher) {
            hasher.combine(keys)
            hasher.combine(values)
        }
    }

    /// What the value is, in the words of type errors: "string", "int", "list".
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "bool"
        case .int: return "int"
        case .double: return "float"
        case .string: return "string"
        case .array: return "list"
        case .object: return "object"
        }
    }

    /// Truthiness for `when:`, `assert:` and `&& || !`: false, null, 0, "" and empty collections are false.
    public var isTruthy: Bool {
        switch self {
        case .null: return false
        case .bool(let b): return b
        case .int(let i): return i != 0
        case .double(let d): return d != 0
        case .string(let s): return !s.isEmpty
        case .array(let a): return !a.isEmpty
        case .object(let o): return !o.isEmpty
        }
    }

    /// The text a value becomes when interpolated into a string: strings as they are, others as JSON.
    public var interpolationText: String {
        if case .string(let s) = self { return s }
        return jsonText()
    }
}
