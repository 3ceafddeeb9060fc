import PlanTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// libFuzzer's entry point: one binary for every `FuzzTarget`, chosen by `PLANRUN_FUZZ_TARGET` (see
/// `scripts/fuzz`). libFuzzer with AddressSanitizer reports a trap, a memory error, a leak or a run past
/// `-timeout` as a crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    chosen.run(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

private let chosen: FuzzTarget = {
    let name = getenv("PLANRUN_FUZZ_TARGET").map { String(cString: $0) } ?? ""
    guard let target = FuzzTarget(rawValue: name) else {
        fatalError("set PLANRUN_FUZZ_TARGET to one of: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    return target
}()
