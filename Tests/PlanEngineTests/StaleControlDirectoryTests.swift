import Foundation
import Testing

@testable import PlanEngine

/// Issue 15: the control directories of runs that died (`kill -9`) are swept by the next run that uses SSH;
/// a live run's, another user's and those without an owner are left alone.
struct StaleControlDirectoryTests {
    @Test func onlyTheDirectoriesOfDeadRunsAreSwept() throws {
        let parent = NSTemporaryDirectory() + "planrun-stale-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: parent) }
        // A pid that surely names no process: a child that has exited and been reaped.
        var dead: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup("true"), nil]
        defer { free(argv[0]) }
        #expect(posix_spawn(&dead, "/bin/true", nil, nil, argv, environ) == 0)
        var status: Int32 = 0
        waitpid(dead, &status, 0)

        func make(_ name: String, owner: pid_t?) throws -> String {
            let path = parent + "/" + name
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
            try "left".write(toFile: path + "/n1", atomically: true, encoding: .utf8)
            if let owner { try "\(owner)\n".write(toFile: path + "/owner", atomically: true, encoding: .utf8) }
            return path
        }
        let stale = try make("planrun-ssh-dead01", owner: dead)
        let live = try make("planrun-ssh-live01", owner: getpid())
        let unowned = try make("planrun-ssh-none01", owner: nil)
        let other = try make("other-dead01", owner: dead)

        SSHControlDirectory.sweepStale(in: parent)

        #expect(!FileManager.default.fileExists(atPath: stale))
        #expect(FileManager.default.fileExists(atPath: live + "/n1"))
        #expect(FileManager.default.fileExists(atPath: unowned + "/n1"))
        #expect(FileManager.default.fileExists(atPath: other + "/n1"))
    }

    @Test func aNewDirectoryNamesItsOwner() throws {
        let directory = try SSHControlDirectory.create()
        defer { directory.remove() }
        let owner = try String(contentsOfFile: directory.path + "/owner", encoding: .utf8)
        #expect(owner == "\(getpid())\n")
    }
}
