import Foundation
import PlanCore
import Testing

/// `DirectoryListing` reads names up to their NUL, whatever their length: the longest name a file system
/// takes (255 bytes), one byte, and thousands of entries, so readdir fills several buffers and short records
/// end some of them. (The bug it replaces copied 256 bytes per entry and crashed when a buffer's last
/// record ended at a page boundary; where that happens is not under a test's control.)
@Suite struct DirectoryListingTests {
    @Test func everyNameComesBackWhole() throws {
        let directory = NSTemporaryDirectory() + "planrun-listing-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var expected: Set<String> = [String(repeating: "n", count: 255), "a", "é"]
        for i in 0..<3000 { expected.insert(String(repeating: "x", count: i % 40) + "\(i)") }
        for name in expected { #expect(FileManager.default.createFile(atPath: directory + "/" + name, contents: nil)) }

        let names = DirectoryListing.names(in: directory)
        #expect(names.count == expected.count)
        #expect(Set(names) == expected)
        #expect(DirectoryListing.names(in: directory + "/missing").isEmpty)
    }
}
