/// Takes the run's events (`schemas/events.schema.json`) as they happen: the `--events` NDJSON stream and
/// the run store's event log are both sinks. Called from the run's tasks at once: implementations lock.
public protocol EventSink: Sendable {
    func receive(_ event: Value)
}
