import Foundation
@testable import PlanEngine
import Testing

/// The live line under a terminal's progress, and the heartbeat of a long step, written into a file.
struct LiveLineTests {
    private func capture(_ body: (StderrProgress) throws -> Void) rethrows -> String {
        let path = NSTemporaryDirectory() + "planrun-live-\(UUID().uuidString)"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        defer {
            close(fd)
            try? FileManager.default.removeItem(atPath: path)
        }
        let progress = StderrProgress(
            level: .normal, redactor: Redactor(secrets: []), environment: ["NO_COLOR": "1"], terminal: true,
            descriptor: fd, heartbeatAfter: 0.05)
        try body(progress)
        return (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }

    @Test func theLiveLineCountsStepsAndALongStepGetsAHeartbeat() throws {
        let slow = Step(id: "slow", phase: .execute, action: .run(Template(literal: "sleep 1")))
        let quick = Step(id: "quick", phase: .execute, action: .run(Template(literal: "true")))
        let text = capture { progress in
            progress.started(step: quick, node: "a", attempt: 1, command: nil)
            progress.finished(StepRecord(step: "quick", phase: .execute, node: "a", status: .succeeded, attempts: 1))
            progress.started(step: slow, node: "b", attempt: 1, command: nil)
            progress.finished(StepRecord(step: "other", phase: .execute, node: "b", status: .failed, attempts: 1))
            usleep(80_000)
            progress.tick()
            progress.tick()  // not due again yet
            progress.end()
        }
        #expect(text.contains("⋯ 1 done · 1 running · 1 failed · 0s"), "\(text.debugDescription)")
        #expect(text.components(separatedBy: "… execute/slow [b] still running after 0s\n").count == 2, "\(text.debugDescription)")
        #expect(text.hasSuffix("\r\u{1B}[K"))
    }

    @Test func aFleetsPerNodeLinesAreFoldedIntoTheLiveLineButFailuresStillPrint() {
        let step = Step(id: "hello", phase: .execute, action: .run(Template(literal: "echo hi")))
        let text = capture { progress in
            for i in 1...100 {
                progress.started(step: step, node: "n\(i)", attempt: 1, command: nil)
                progress.finished(StepRecord(
                    step: "hello", phase: .execute, node: "n\(i)", status: i == 77 ? .failed : .succeeded, attempts: 1))
            }
            progress.end()
        }
        let lines = text.components(separatedBy: "\n")
        #expect(lines.filter { $0.contains("▸ execute/hello [") }.count == 20, "\(text.debugDescription)")
        #expect(lines.filter { $0.contains("✓ succeeded execute/hello [") }.count == 20)
        #expect(lines.filter { $0.contains("more than 20 nodes") }.count == 1)
        #expect(lines.contains { $0.hasSuffix("✗ failed execute/hello [n77] 0.000s") }, "\(text.debugDescription)")
        #expect(text.contains("⋯ 99 done · 0 running · 1 failed"))
    }

    @Test func withoutATerminalThereIsNoLiveLine() {
        let progress = StderrProgress(level: .normal, redactor: Redactor(secrets: []), terminal: false, descriptor: -1)
        #expect(!progress.isLive)
        let quiet = StderrProgress(level: .quiet, redactor: Redactor(secrets: []), terminal: true, descriptor: -1)
        #expect(!quiet.isLive)
    }
}
