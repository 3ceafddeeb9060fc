import Foundation

/// Golden files: what a command prints, kept as a plain file beside the tests and compared as a whole, so a
/// change to help, diagnostics, a dry-run or a result shows up as a diff in review.
///
/// `PLANRUN_UPDATE_GOLDEN=1 swift test --filter Golden` rewrites the files from what the code prints now.
public enum Golden {
    /// nil when `actual` is what the golden file `name` in `directory` holds (or the file was just rewritten);
    /// otherwise what differs, from the first line that does.
    public static func mismatch(_ actual: String, file name: String, in directory: String) -> String? {
        let path = directory + "/" + name
        if ProcessInfo.processInfo.environment["PLANRUN_UPDATE_GOLDEN"] == "1" {
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            do { try actual.write(toFile: path, atomically: true, encoding: .utf8) } catch { return "cannot write \(path): \(error)" }
            return nil
        }
        guard let expected = try? String(contentsOfFile: path, encoding: .utf8) else {
            return "no golden file \(path); run with PLANRUN_UPDATE_GOLDEN=1 to write it"
        }
        if expected == actual { return nil }
        let want = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let got = actual.split(separator: "\n", omittingEmptySubsequences: false)
        let line = (0..<min(want.count, got.count)).first { want[$0] != got[$0] } ?? min(want.count, got.count)
        func at(_ lines: [Substring]) -> String { line < lines.count ? "'\(lines[line])'" : "(end)" }
        return "\(name):\(line + 1): expected \(at(want)), got \(at(got)) (PLANRUN_UPDATE_GOLDEN=1 rewrites the file)"
    }
}
