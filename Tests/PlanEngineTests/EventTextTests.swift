@testable import PlanEngine
import Testing

/// The events' JSON text, written field by field: the same bytes a `Value` of the event would print, and the
/// timestamp digit by digit.
struct EventTextTests {
    @Test(arguments: [
        (0.0, "1970-01-01T00:00:00.000Z"),
        (951_782_400.5, "2000-02-29T00:00:00.500Z"),
        (1_764_487_545.25, "2025-11-30T07:25:45.250Z"),
        (1_764_503_999.999_5, "2025-11-30T11:59:59.999Z"),
    ])
    func timestampsAreISO8601WithMilliseconds(_ seconds: Double, _ text: String) {
        #expect(RunEvents.timestamp(seconds) == text)
    }

    /// Keys in the order written, `event` and `time` first, values escaped as `jsonText` does.
    @Test func anEventIsTheTextOfItsFieldsInOrder() throws {
        var writer = EventWriter("step_started")
        writer.field("step", "a\"b")
        writer.field("node", Value.null)
        writer.field("attempt", 2)
        writer.fields(Value.Object([("item", .array([.int(-1), .string("é\n")]))]))
        writer.field(named: "k\u{1}", .bool(true))
        let event = writer.text()
        let expected = Value.object(Value.Object([
            ("event", .string("step_started")), ("time", .string(RunEvents.timestamp(event.time))), ("step", .string("a\"b")),
            ("node", .null), ("attempt", .int(2)), ("item", .array([.int(-1), .string("é\n")])), ("k\u{1}", .bool(true)),
        ]))
        #expect(String(decoding: event.json, as: UTF8.self) == expected.jsonText())
        #expect(event.value == expected)
    }

    /// `step_finished` carries the record's own fields, as the result's `steps` has them, in the same order
    /// (its `id` as the event's `step`), then the event's own: written straight from the record, not from its
    /// JSON object, so the two are compared here. A carried key never replaces a field of the record.
    @Test func aFinishedStepsEventHasItsRecordsFieldsInOrder() throws {
        final class Collect: EventSink, @unchecked Sendable {
            var events: [EventText] = []
            func receive(_ event: EventText) { events.append(event) }
        }
        var record = StepRecord(
            step: "copy", phase: .execute, node: "web1", status: .failed, attempts: 2, exitCode: 3, duration: 1.23456,
            reason: "exit 3", changed: true, diff: "+x\n")
        record.queued = 0.5
        record.item = .string("a")
        record.itemIndex = 1
        record.batch = 2
        record.cached = true
        record.cacheAge = 4
        record.carried = Value.Object([("changed", .bool(false)), ("shard_note", .string("kept"))])
        record.stdoutTail = "out"
        let sink = Collect()
        RunEvents([sink]).finished(record)
        let event = try #require(sink.events.first?.value?.objectValue)
        let fields = try #require(record.json(includeTimes: true).objectValue)
        #expect(Array(event.keys.prefix(3)) == ["event", "time", "step"])
        #expect(event["step"] == .string("copy"))
        #expect(Array(event.keys.dropFirst(3).prefix(fields.count - 1)) == Array(fields.keys.dropFirst()))
        for (key, value) in fields where key != "id" { #expect(event[key] == value, "\(key)") }
        #expect(fields["changed"] == .bool(true) && fields["shard_note"] == .string("kept"))
        #expect(Array(event.keys.suffix(2)) == ["item_index", "stdout_tail"])
    }
}
