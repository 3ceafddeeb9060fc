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
        writer.fields(Value.Object([("id", .string("skipped")), ("item", .array([.int(-1), .string("é\n")]))]),
                      skipping: "id")
        let event = writer.text()
        let expected = Value.object(Value.Object([
            ("event", .string("step_started")), ("time", .string(RunEvents.timestamp(event.time))), ("step", .string("a\"b")),
            ("node", .null), ("attempt", .int(2)), ("item", .array([.int(-1), .string("é\n")])),
        ]))
        #expect(String(decoding: event.json, as: UTF8.self) == expected.jsonText())
        #expect(event.value == expected)
    }
}
