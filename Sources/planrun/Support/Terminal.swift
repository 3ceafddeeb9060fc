#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

import PlanEngine

/// The process's standard streams and environment, without Foundation on the hot path of `validate`.
enum Terminal {
    static func isTerminal(_ descriptor: Int32) -> Bool { isatty(descriptor) == 1 }

    static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }

    static var environment: [String: String] {
        var out: [String: String] = [:]
        if let path = environment("PLANRUN_PATH") { out["PLANRUN_PATH"] = path }
        return out
    }

    /// Every variable, for the few options that read one (`--shard`'s `$JOB_COMPLETION_INDEX`).
    static var processEnvironment: [String: String] {
        var out: [String: String] = [:]
        var entry = environ
        while let pointer = entry.pointee {
            let text = String(cString: pointer)
            if let equals = text.firstIndex(of: "=") {
                out[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            entry += 1
        }
        return out
    }

    static func write(_ text: String) { StandardStream.write(text, to: STDOUT_FILENO) }
    static func writeError(_ text: String) { StandardStream.write(text, to: STDERR_FILENO) }
}
