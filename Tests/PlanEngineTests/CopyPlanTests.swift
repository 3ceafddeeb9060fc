import Foundation
import PlanCore
@testable import PlanEngine
import Testing

/// A copy's comparison before sending (large files only) and the script that only adjusts mode when the
/// content is in place, on this machine's transport.
@Suite(.serialized)
final class CopyPlanTests {
    let directory: String

    init() throws {
        directory = NSTemporaryDirectory() + "planrun-copyplan-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    func plan(source: String, dest: String, mode: String? = nil) throws -> CopyPlan {
        let action = CopyAction(
            source: .file(path: source, resolved: source), dest: Template(literal: dest), mode: mode)
        return try CopyPlan.prepare(action, scope: Value.Object(), time: "20261130T000000Z")
    }

    @Test func aLargeFileAlreadyInPlaceIsNotSentAgain() async throws {
        let source = directory + "/big.bin"
        let bytes = Data((0..<(2 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        try bytes.write(to: URL(fileURLWithPath: source))
        let dest = directory + "/dest.bin"
        var plan = try plan(source: source, dest: dest, mode: "0600")
        let node = LocalTransport()
        // Missing, then the same size with other bytes: not in place.
        #expect(await !plan.contentIsInPlace(on: node, timeout: 30, grace: 1))
        var other = bytes
        other[0] ^= 1
        try other.write(to: URL(fileURLWithPath: dest))
        #expect(await !plan.contentIsInPlace(on: node, timeout: 30, grace: 1))
        try bytes.write(to: URL(fileURLWithPath: dest))
        chmod(dest, 0o644)
        #expect(await plan.contentIsInPlace(on: node, timeout: 30, grace: 1))

        // In place: no upload, only the mode is set, and the copy says it changed that.
        plan.contentInPlace = true
        let request = plan.request(timeout: 30, grace: 1, outputLimit: 4096)
        #expect(request.upload == nil)
        let outcome = await node.execute(request)
        #expect(outcome.succeeded, "\(outcome.stderr)")
        #expect(CopyPlan.changed(outcome.stdout) == true)
        #expect(try FileManager.default.attributesOfItem(atPath: dest)[.posixPermissions] as? Int == 0o600)
        #expect(CopyPlan.changed(await node.execute(request).stdout) == false)
    }

    @Test func aSmallFileIsComparedOnTheNodeInstead() async throws {
        let source = directory + "/small.conf"
        try "x\n".write(toFile: source, atomically: true, encoding: .utf8)
        try "x\n".write(toFile: directory + "/small-dest.conf", atomically: true, encoding: .utf8)
        let plan = try plan(source: source, dest: directory + "/small-dest.conf")
        #expect(await !plan.contentIsInPlace(on: LocalTransport(), timeout: 30, grace: 1))
        let outcome = await LocalTransport().execute(plan.request(timeout: 30, grace: 1, outputLimit: 4096))
        #expect(CopyPlan.changed(outcome.stdout) == false, "\(outcome.stderr)")
    }

    /// A dry-run shows each copy as `copy SRC (SIZE) to DEST`, rendered for its node, and writes nothing.
    @Test func aDryRunShowsTheSourceItsSizeAndTheDestination() async throws {
        let source = directory + "/app.bin"
        try Data(repeating: 7, count: 1_572_864).write(to: URL(fileURLWithPath: source))
        let steps = [
            Step(id: "file", action: .copy(CopyAction(
                source: .file(path: "files/app.bin", resolved: source),
                dest: PlanBuilder.template(directory + "/${{ node.name }}.bin")))),
            Step(id: "small", action: .copy(CopyAction(
                source: .content(PlanBuilder.template("name ${{ node.name }}\n")), dest: Template(literal: directory + "/small.conf")))),
        ]
        let (plan, operation) = PlanBuilder.plan(steps: steps)
        var inputs = Value.Object()
        inputs["operation"] = .string(operation.name)
        let result = await PlanRunner(RunRequest(plan: plan, operation: operation, inputs: inputs, dryRun: true)).run()
        #expect(result.steps.map(\.status) == [.planned, .planned])
        #expect(result.steps.map(\.command) == [
            "copy files/app.bin (1.5 MB) to \(directory)/local.bin",
            "copy content (11 bytes) to \(directory)/small.conf",
        ])
        #expect(!FileManager.default.fileExists(atPath: directory + "/local.bin"))
        #expect(!FileManager.default.fileExists(atPath: directory + "/small.conf"))
    }
}
