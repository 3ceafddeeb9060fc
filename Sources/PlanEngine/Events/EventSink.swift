/// Takes the run's events (`schemas/events.schema.json`) as they happen: the `--events` NDJSON stream and
/// the run store's event log are both sinks. Called from the run's tasks at once: implementations lock.
public protocol EventSink: Sendable {
    func receive(_ event: EventText)
}

/// One event as every sink takes it: its JSON text, written once for all of them (the stream and the store
/// each wrote their own, and building the event as a `Value` first cost more than writing it).
public struct EventText: Sendable {
    /// The compact JSON object, without a line end.
    public var json: [UInt8]
    /// Its `time` field, in seconds since 1970.
    public var time: Double

    public init(json: [UInt8], time: Double) {
        self.json = json
        self.time = time
    }

    /// The event read back as a value (for tests and tools that look inside it).
    public var value: Value? { try? Value.parseJSON(String(decoding: json, as: UTF8.self)) }
}
