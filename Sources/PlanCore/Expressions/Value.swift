/// A value of the plan language: inputs, captures, expression results and the result JSON all use it.
///
/// Objects keep their keys in insertion order so the result JSON is the same every time.
public indirect enum Value: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([Value])
    case object(Object)

    /// An insertion-ordered string-keyed map.
    public struct Object: Sendable, Hashable, Sequence {
        public private(set) var keys: [String] = []
        private var storage: [String: Value] = [:]

        public init() {}

        /// An empty object with room for `minimumCapacity` keys: one that grows a key at a time from empty
        /// rehashes its keys at 1, 2, 4 and 8 (step records and scopes are built that way on every step).
        public init(minimumCapacity: Int) {
            keys.reserveCapacity(minimumCapacity)
            storage.reserveCapacity(minimumCapacity)
        }

        public init(_ pairs: [(String, Value)]) {
            self.init(minimumCapacity: pairs.count)
            for (key, value) in pairs { self[key] = value }
        }

        public subscript(key: String) -> Value? {
            get { storage[key] }
            set {
                if let newValue {
                    if storage.updateValue(newValue, forKey: key) == nil { keys.append(key) }
                } else if storage.removeValue(forKey: key) != nil {
                    keys.removeAll { $0 == key }
                }
            }
        }

        public var count: Int { keys.count }
        public var isEmpty: Bool { keys.isEmpty }
        public var values: [Value] { keys.map { storage[$0]! } }

        public func makeIterator() -> AnyIterator<(key: String, value: Value)> {
            var index = 0
            return AnyIterator {
                guard index < keys.count else { return nil }
                defer { index += 1 }
                return (keys[index], storage[keys[index]]!)
            }
        }

        public static func == (a: Object, b: Object) -> Bool { a.keys == b.keys && a.storage == b.storage }
        public func hash(into hasher: inout Hasher) {
            hasher.combine(keys)
            for key in keys { hasher.combine(storage[key]) }
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
