import Foundation
import PlanCore
import PlanEngine
@testable import PlanMCP
import Testing

/// What a caller with a progress token is told while a tool's run goes on: each finished step (with a loop
/// pass's item, masked) and a rollout's pauses, with progress that rises at every notification.
struct ProgressNotifierTests {
    @Test func stepsWithTheirItemsAndRolloutPausesAreTold() throws {
        let yaml = """
            planrun: 1
            inventory:
              nodes: { a: { transport: local }, b: { transport: local } }
              groups: { all: [a, b] }
            operations:
              op:
                execute:
                  - { id: restart, target: all, batch: 1, pause: 10s, steps: [{ id: bounce, run: "true" }] }
            """
        let plan = try #require(PlanDecoder.decode(bytes: Array(yaml.utf8), file: "/nonexistent/rollout.yaml").0)
        let group = try #require(plan.operations.first?.steps.first)
        var fds: [Int32] = [-1, -1]
        #expect(pipe(&fds) == 0)
        let notifier = ProgressNotifier(
            token: .string("t"), writer: MessageWriter(descriptor: fds[1]), redactor: Redactor(secrets: ["s3cr3t"]))
        var first = StepRecord(step: "restart.bounce", phase: .execute, node: "a", status: .succeeded, attempts: 1)
        first.item = .string("s3cr3t")
        first.itemIndex = 0
        notifier.finished(first)
        notifier.pausing(group: group, before: 2, of: 2, seconds: 10)
        notifier.finished(StepRecord(step: "restart.bounce", phase: .execute, node: "b", status: .succeeded, attempts: 1))
        close(fds[1])
        let text = String(decoding: FileHandle(fileDescriptor: fds[0], closeOnDealloc: true).readDataToEndOfFile(), as: UTF8.self)
        let notes = text.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["params"] as? [String: Any]
        }
        #expect(notes.map { ($0["progress"] as? NSNumber)?.doubleValue } == [1, 1.5, 2])
        #expect(notes.map { $0["message"] as? String } == [
            "succeeded execute/restart.bounce [a] item \"***\"", "pause execute/restart 10s before batch 2/2",
            "succeeded execute/restart.bounce [b]",
        ])
        #expect(notes.allSatisfy { $0["progressToken"] as? String == "t" })
    }
}
