import Foundation
import PlanEngine
import PlanTestSupport
import Synchronization
import Testing

/// What a run tells as it goes about loops and rollouts: `step_started` carries the loop's item, and a
/// rollout's pause between batches is a `rollout_paused` event and a line on stderr. Every event must match
/// `schemas/events.schema.json`.
@Suite(.serialized)
struct LoopAndPauseProgressTests {
    let bed = YAMLPlanRun()

    /// Keeps every event, in order.
    final class Collected: EventSink {
        private let events = Mutex<[Value]>([])
        func receive(_ event: EventText) { events.withLock { $0.append(event.value ?? .null) } }
        var all: [Value.Object] { events.withLock { $0.compactMap { if case .object(let o) = $0 { o } else { nil } } } }
    }

    /// Writes each event to a file of its own and checks them all against the events schema.
    private func checkSchema(_ events: [Value.Object]) async throws {
        var files: [String] = []
        for (i, event) in events.enumerated() {
            let file = bed.directory + "/event-\(i).json"
            try Value.object(event).jsonText().write(toFile: file, atomically: true, encoding: .utf8)
            files.append(file)
        }
        let check = try await SchemaCheck.validate(files, schema: "schemas/events.schema.json")
        #expect(check.status == 0, "events do not match schemas/events.schema.json: \(check.output)")
    }

    @Test func stepStartedCarriesTheLoopItemMasked() async throws {
        let collected = Collected()
        let request = try bed.request("""
            planrun: 1
            inputs: { token: { type: string, default: s3cr3t, secret: true } }
            operations:
              op:
                execute:
                  - id: each
                    for_each: [app.log, "${{ inputs.token }}"]
                    run: "echo ${{ item }}"
                  - { id: once, run: "true" }
            """)
        let result = try await bed.check(await PlanRunner(request, progress: RunEvents([collected])).run())
        #expect(result.exitCode == 0)
        let started = collected.all.filter { $0["event"] == .string("step_started") }
        #expect(started.map { $0["step"] } == [.string("each"), .string("each"), .string("once")])
        #expect(started.map { $0["item"] } == [.string("app.log"), .string("***"), nil])
        #expect(started.map { $0["item_index"] } == [.int(0), .int(1), nil])
        let finished = collected.all.filter { $0["event"] == .string("step_finished") && $0["step"] == .string("each") }
        #expect(finished.map { $0["item_index"] } == [.int(0), .int(1)])
        try await checkSchema(collected.all)
    }

    @Test func aRolloutsPauseIsAnEventAndAStderrLine() async throws {
        let collected = Collected()
        let path = bed.directory + "/stderr.txt"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        defer { close(fd) }
        let stderr = StderrProgress(
            level: .normal, redactor: Redactor(secrets: []), environment: [:], terminal: false, descriptor: fd)
        let request = try bed.request("""
            planrun: 1
            \(localNodes(3))
            operations:
              op:
                execute:
                  - id: restart
                    target: all
                    batch: 1
                    pause: 100ms
                    steps:
                      - { id: bounce, run: "true" }
            """)
        let result = try await bed.check(
            await PlanRunner(request, progress: ProgressSinks([stderr, RunEvents([collected])])).run())
        #expect(result.exitCode == 0)
        let pauses = collected.all.filter { $0["event"] == .string("rollout_paused") }
        #expect(pauses.map { $0["before_batch"] } == [.int(2), .int(3)])
        #expect(pauses.allSatisfy {
            $0["step"] == .string("restart") && $0["batches"] == .int(3) && $0["seconds"] == .double(0.1)
                && $0["phase"] == .string("execute")
        })
        try await checkSchema(collected.all)
        let lines = bed.lines("stderr.txt")
        #expect(lines.filter { $0.hasPrefix("pause ") } == [
            "pause execute/restart 100ms before batch 2/3", "pause execute/restart 100ms before batch 3/3",
        ], "\(lines)")
        // Between the second batch's last line and the third's first.
        let pause = try #require(lines.firstIndex(of: "pause execute/restart 100ms before batch 3/3"))
        #expect(lines[pause - 1].hasPrefix("succeeded execute/restart.bounce [n2] "), "\(lines)")
        #expect(lines[pause + 1] == "start execute/restart.bounce [n3]")
    }

    /// The stderr lines of a loop's passes say which item each is for (masked), as the text result does:
    /// otherwise three passes print three identical lines.
    @Test func stderrLinesNameTheLoopItem() async throws {
        let path = bed.directory + "/items.txt"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        defer { close(fd) }
        let request = try bed.request("""
            planrun: 1
            inputs: { token: { type: string, default: s3cr3t, secret: true } }
            operations:
              op:
                execute:
                  - { id: each, for_each: [app.log, "${{ inputs.token }}"], run: "echo ${{ item }}" }
            """)
        let stderr = StderrProgress(
            level: .normal, redactor: Redactor(plan: request.plan, inputs: request.inputs), environment: [:],
            terminal: false, descriptor: fd)
        let result = try await bed.check(await PlanRunner(request, progress: stderr).run())
        #expect(result.exitCode == 0)
        let lines = bed.lines("items.txt")
        #expect(lines.filter { $0.hasPrefix("start ") } == [
            "start execute/each [local] item \"app.log\"", "start execute/each [local] item \"***\"",
        ], "\(lines)")
        #expect(lines.filter { $0.hasPrefix("succeeded ") }.map { $0.split(separator: " ").prefix(5).joined(separator: " ") } == [
            "succeeded execute/each [local] item \"app.log\"", "succeeded execute/each [local] item \"***\"",
        ], "\(lines)")
    }
}
