import Foundation
@testable import PlanEngine
import Testing

/// `--diff`'s hunks equal GNU diff's `diff -u` for the same two texts (headers aside).
@Suite struct UnifiedDiffTests {
    static let cases: [(String, String)] = [
        ("a\nb\nc\n", "a\nB\nc\n"),
        ("", "new\nfile\n"),
        ("old\nfile\n", ""),
        ("same\n", "same"),
        ((1...40).map { "line \($0)\n" }.joined(), (1...40).map { $0 == 5 || $0 == 30 ? "changed \($0)\n" : "line \($0)\n" }.joined()),
        ((1...12).map { "l\($0)\n" }.joined(), (1...12).filter { $0 != 7 }.map { "l\($0)\n" }.joined() + "tail\n"),
        ("x\ny\nz\n", "a\nx\nq\nz\nw\n"),
        ("one\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine\n", "one\nTWO\nthree\nfour\nfive\nsix\nseven\nEIGHT\nnine\n"),
    ]

    static func gnuDiff(_ old: String, _ new: String) throws -> String {
        let directory = NSTemporaryDirectory() + "planrun-diff-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try old.write(toFile: directory + "/a", atomically: false, encoding: .utf8)
        try new.write(toFile: directory + "/b", atomically: false, encoding: .utf8)
        let process = Process()
        let pipe = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/diff")
        process.arguments = ["-u", directory + "/a", directory + "/b"]
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            .dropFirst(2).joined(separator: "\n")
    }

    @Test(arguments: 0..<cases.count)
    func hunksMatchGNUDiff(_ index: Int) throws {
        let (old, new) = Self.cases[index]
        let ours = UnifiedDiff.render(old: old, new: new, oldName: "a", newName: "b")
            .split(separator: "\n", omittingEmptySubsequences: false).dropFirst(2).joined(separator: "\n")
        #expect(ours == (try Self.gnuDiff(old, new)))
    }

    @Test func equalTextsHaveNoDiff() {
        #expect(UnifiedDiff.render(old: "a\nb\n", new: "a\nb\n", oldName: "a", newName: "b") == "")
    }

    @Test func manyEditsStillGiveACorrectDiff() {
        let old = (0..<3000).map { "o\($0)\n" }.joined()
        let new = (0..<3000).map { "n\($0)\n" }.joined()
        let diff = UnifiedDiff.render(old: old, new: new, oldName: "a", newName: "b")
        #expect(diff.hasPrefix("--- a\n+++ b\n@@ -1,3000 +1,3000 @@\n-o0\n"))
        #expect(diff.split(separator: "\n").count == 2 + 1 + 6000)
    }
}
