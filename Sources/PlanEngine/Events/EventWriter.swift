#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One event's JSON text, written field by field into bytes: `{"event":KIND,"time":TIME` first, then the
/// fields in the order they are given. Building each event as a `Value.Object` first (a hashed key per field,
/// the record's fields copied into it) and printing it after cost a recorded run more than the store did.
struct EventWriter {
    private var bytes: [UInt8] = []
    /// Seconds since 1970, as the `time` field says.
    let time: Double

    init(_ kind: StaticString, room: Int = 256) {
        time = RunEvents.wallClock()
        bytes.reserveCapacity(room)
        append(#"{"event":""#)
        append(kind)
        append(#"","time":""#)
        RunEvents.writeTimestamp(time, to: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func append(_ text: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// `,"key":` (the keys given here are plain words: nothing to escape).
    private mutating func key(_ key: StaticString) {
        append(",\"")
        append(key)
        append("\":")
    }

    mutating func field(_ key: StaticString, _ value: Value) {
        self.key(key)
        value.writeJSON(to: &bytes)
    }

    mutating func field(_ key: StaticString, _ value: String) {
        self.key(key)
        Value.writeJSONString(value, to: &bytes)
    }

    mutating func field(_ key: StaticString, _ value: Int) {
        self.key(key)
        Value.writeInt(value, to: &bytes)
    }

    /// `,"key":value` for a key that is not a literal (written as a JSON string). Never `event` or `time`.
    mutating func field(named key: String, _ value: Value) {
        bytes.append(UInt8(ascii: ","))
        Value.writeJSONString(key, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        value.writeJSON(to: &bytes)
    }

    /// Every field of `fields`, in order. None may be `event` or `time` (written already): the events' fields
    /// are the engine's own records and issues, which have neither.
    mutating func fields(_ fields: Value.Object) {
        for (key, value) in fields { field(named: key, value) }
    }

    /// The finished event.
    consuming func text() -> EventText {
        bytes.append(UInt8(ascii: "}"))
        return EventText(json: bytes, time: time)
    }
}

extension RunEvents {
    /// Appends `seconds` since 1970 in UTC, ISO 8601 with milliseconds (`2026-11-30T07:25:45.123Z`), digit by
    /// digit: built by string interpolation it cost more than the rest of a `step_started` event.
    static func writeTimestamp(_ seconds: Double, to out: inout [UInt8]) {
        let whole = seconds.rounded(.down)
        var time = time_t(whole)
        var parts = tm()
        gmtime_r(&time, &parts)
        let year = Int(parts.tm_year) + 1900
        two(year / 100, &out)
        two(year % 100, &out)
        out.append(UInt8(ascii: "-"))
        two(Int(parts.tm_mon) + 1, &out)
        out.append(UInt8(ascii: "-"))
        two(Int(parts.tm_mday), &out)
        out.append(UInt8(ascii: "T"))
        two(Int(parts.tm_hour), &out)
        out.append(UInt8(ascii: ":"))
        two(Int(parts.tm_min), &out)
        out.append(UInt8(ascii: ":"))
        two(Int(parts.tm_sec), &out)
        out.append(UInt8(ascii: "."))
        let millis = Int((seconds - whole) * 1000)
        out.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: millis / 100))
        two(millis % 100, &out)
        out.append(UInt8(ascii: "Z"))
    }

    /// The two digits of `n` (0...99).
    @inline(__always)
    private static func two(_ n: Int, _ out: inout [UInt8]) {
        out.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: n / 10))
        out.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: n % 10))
    }
}
