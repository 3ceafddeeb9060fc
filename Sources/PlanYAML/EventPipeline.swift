import CLibYAML

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// libyaml's events for a large input, parsed on a second thread and handed to the composer in batches.
///
/// libyaml's scanning is half of composing a large plan, and the tree building the other half; on two
/// threads they overlap. Batches keep the hand-offs few (one per thousand events), and a small ring of them
/// bounds how far the parser runs ahead of a composer that stopped (an error, a limit, a second document):
/// at most `depth` batches, which are then dropped unread.
///
/// Each event's text is copied into its batch and the event deleted on the parser's thread: freeing libyaml's
/// allocations on the composer's thread instead made malloc and free 40% of the time (every free a remote one).
final class EventPipeline: @unchecked Sendable {
    /// Events per batch.
    static let batchSize = 1024
    /// Events in the first batch: the composer has nothing to do until it arrives.
    static let firstBatchSize = 128
    /// Batches in flight.
    static let depth = 4

    /// One event as a batch keeps it, in 56 bytes rather than libyaml's 104: its marks without the byte index
    /// (nothing reads it), its text as offsets into the batch's bytes (-1 for none).
    private struct PackedEvent {
        var startLine: UInt32
        var startColumn: UInt32
        var endLine: UInt32
        var endColumn: UInt32
        var value: Int
        var length: Int
        var tag: Int
        var anchor: Int
        var type: UInt8
        var style: UInt8
    }

    private struct Slot {
        var events: UnsafeMutablePointer<PackedEvent>
        /// The batch's text: scalars as they are, tags and anchors NUL-terminated. Grown by the parser while
        /// it fills the slot, read by the composer once the slot is full.
        var bytes: UnsafeMutablePointer<UInt8>
        var byteCapacity: Int
        var count = 0
        /// Filled by the parser and not yet read.
        var full = false
        /// The stream ended (or libyaml failed) with this batch.
        var last = false
    }

    private let parser: LibYAMLParser
    // Heap-allocated: the address of a Swift stored property is not guaranteed stable across accesses.
    private let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let changed = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    /// Guarded by `lock`.
    private var slots: [Slot]
    /// Guarded by `lock`: the composer is done; the parser stops at its next batch.
    private var stopping = false
    /// libyaml failed; read after the parser thread was joined.
    private var parseFailed = false

    init(parser: LibYAMLParser) {
        self.parser = parser
        slots = (0..<Self.depth).map { _ in
            Slot(events: .allocate(capacity: Self.batchSize), bytes: .allocate(capacity: 64 << 10), byteCapacity: 64 << 10)
        }
        pthread_mutex_init(lock, nil)
        pthread_cond_init(changed, nil)
    }

    deinit {
        for slot in slots {
            slot.events.deallocate()
            slot.bytes.deallocate()
        }
        pthread_cond_destroy(changed)
        pthread_mutex_destroy(lock)
        changed.deallocate()
        lock.deallocate()
    }

    /// Feeds every event to `handle` in order until it says `.stop` or the stream ends, deleting each event.
    /// While the next batch is not ready, calls `whileWaiting` until it says it has nothing left to do.
    /// Returns false when no parser thread could be started (nothing was read; parse on this thread instead),
    /// else whether libyaml failed before the composer stopped (then `parser.failure` says why).
    func run(
        _ handle: (YAMLEvent) -> Composition.Step, whileWaiting: () -> Bool = { false }
    ) -> (started: Bool, parseFailed: Bool) {
        var thread = pthread_t()
        let context = Unmanaged.passUnretained(self).toOpaque()
        guard pthread_create(&thread, nil, { context in
            Unmanaged<EventPipeline>.fromOpaque(context!).takeUnretainedValue().produce()
            return nil
        }, context) == 0 else { return (false, false) }

        var index = 0
        var stopped = false
        while true {
            pthread_mutex_lock(lock)
            var idleWork = true
            while !slots[index].full {
                if idleWork {
                    pthread_mutex_unlock(lock)
                    idleWork = whileWaiting()
                    pthread_mutex_lock(lock)
                } else {
                    pthread_cond_wait(changed, lock)
                }
            }
            let slot = slots[index]
            pthread_mutex_unlock(lock)

            for i in 0..<slot.count where !stopped {
                if handle(Self.view(slot.events[i], in: slot.bytes)) == .stop { stopped = true }
            }

            pthread_mutex_lock(lock)
            slots[index].full = false
            if stopped { stopping = true }
            pthread_cond_broadcast(changed)
            pthread_mutex_unlock(lock)
            if slot.last || stopped { break }
            index = (index + 1) % Self.depth
        }
        pthread_join(thread, nil)
        return (true, !stopped && parseFailed)
    }

    private static func view(_ event: PackedEvent, in bytes: UnsafeMutablePointer<UInt8>) -> YAMLEvent {
        YAMLEvent(
            type: yaml_event_type_t(UInt32(event.type)),
            start: yaml_mark_t(index: 0, line: Int(event.startLine), column: Int(event.startColumn)),
            end: yaml_mark_t(index: 0, line: Int(event.endLine), column: Int(event.endColumn)),
            style: yaml_scalar_style_t(UInt32(event.style)),
            value: UnsafeBufferPointer(start: event.value < 0 ? nil : bytes + event.value, count: event.length),
            tag: event.tag < 0 ? nil : UnsafePointer(bytes + event.tag),
            anchor: event.anchor < 0 ? nil : UnsafePointer(bytes + event.anchor))
    }

    /// The parser thread: fills free batches until the stream ends, libyaml fails or the composer stops.
    private func produce() {
        var index = 0
        var batchSize = Self.firstBatchSize
        while true {
            pthread_mutex_lock(lock)
            while slots[index].full, !stopping { pthread_cond_wait(changed, lock) }
            var slot = slots[index]
            let stop = stopping
            pthread_mutex_unlock(lock)
            if stop { return }

            // Filled outside the lock: the composer reads a slot only once it is marked full.
            var count = 0
            var last = false
            var failed = false
            var used = 0
            var event = yaml_event_t()
            while count < batchSize {
                guard parser.next(&event) else {
                    failed = true
                    last = true
                    break
                }
                let ended = event.type == YAML_STREAM_END_EVENT
                slot.events[count] = Self.pack(YAMLEvent(event), into: &slot, at: &used)
                yaml_event_delete(&event)
                count += 1
                if ended {
                    last = true
                    break
                }
            }

            pthread_mutex_lock(lock)
            slots[index].bytes = slot.bytes
            slots[index].byteCapacity = slot.byteCapacity
            slots[index].count = count
            slots[index].last = last
            slots[index].full = true
            if failed { parseFailed = true }
            pthread_cond_broadcast(changed)
            pthread_mutex_unlock(lock)
            if last { return }
            index = (index + 1) % Self.depth
            batchSize = Self.batchSize
        }
    }

    /// Copies an event's text into the slot's bytes (growing them if needed) and returns where it went.
    private static func pack(_ event: YAMLEvent, into slot: inout Slot, at used: inout Int) -> PackedEvent {
        func copy(_ pointer: UnsafePointer<UInt8>?, count: Int, terminated: Bool) -> Int {
            guard let pointer else { return -1 }
            let needed = used + count + (terminated ? 1 : 0)
            if needed > slot.byteCapacity {
                let capacity = max(needed, slot.byteCapacity * 2)
                let larger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
                larger.update(from: slot.bytes, count: used)
                slot.bytes.deallocate()
                slot.bytes = larger
                slot.byteCapacity = capacity
            }
            let offset = used
            (slot.bytes + offset).update(from: pointer, count: count)
            if terminated { slot.bytes[offset + count] = 0 }
            used = needed
            return offset
        }
        func copy(cString pointer: UnsafePointer<UInt8>?) -> Int {
            copy(pointer, count: pointer.map { strlen(UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) } ?? 0,
                 terminated: true)
        }
        // A scalar's text is never nil (libyaml gives "" for an empty one); other events have none. Types and
        // styles are small enums; lines and columns past 2^32 are beyond any input the limits admit.
        return PackedEvent(
            startLine: UInt32(truncatingIfNeeded: event.start.line),
            startColumn: UInt32(truncatingIfNeeded: event.start.column),
            endLine: UInt32(truncatingIfNeeded: event.end.line), endColumn: UInt32(truncatingIfNeeded: event.end.column),
            value: copy(event.value.baseAddress, count: event.value.count, terminated: false),
            length: event.value.count, tag: copy(cString: event.tag), anchor: copy(cString: event.anchor),
            type: UInt8(truncatingIfNeeded: event.type.rawValue), style: UInt8(truncatingIfNeeded: event.style.rawValue))
    }
}
