/// Cuts a stream's bytes into lines for `--verbose`, which shows output as it arrives.
///
/// A line is emitted at its line break, without it; what is left at the end comes out by `flush`. A line
/// longer than `limit` bytes is emitted in pieces, so a stream without line breaks cannot grow memory.
struct LineSplitter {
    static let limit = 64 * 1024
    private var pending: [UInt8] = []

    mutating func feed(_ chunk: UnsafeRawBufferPointer, _ emit: (String) -> Void) {
        for byte in chunk {
            if byte == 0x0A {
                if pending.last == 0x0D { pending.removeLast() }
                emit(String(decoding: pending, as: UTF8.self))
                pending.removeAll(keepingCapacity: true)
            } else {
                pending.append(byte)
                if pending.count >= Self.limit {
                    emit(String(decoding: pending, as: UTF8.self))
                    pending.removeAll(keepingCapacity: true)
                }
            }
        }
    }

    mutating func flush(_ emit: (String) -> Void) {
        guard !pending.isEmpty else { return }
        emit(String(decoding: pending, as: UTF8.self))
        pending.removeAll()
    }
}
