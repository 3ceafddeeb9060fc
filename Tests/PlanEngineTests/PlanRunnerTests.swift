import Foundation
import PlanEngine
import PlanTestSupport
import Testing

@Suite(.serialized)
struct PlanRunnerTests {
    typealias B = PlanBuilder

    private func run(_ planAndOperation: (Plan, PlanCore.Operation), inputs: Value.Object = Value.Object(), dryRun: Bool = false)
        async -> RunResult
    {
        var inputs = inputs
        inputs["operation"] = .string(planAndOperation.1.name)
        let request = RunRequest(plan: planAndOperation.0, operation: planAndOperation.1, inputs: inputs, dryRun: dryRun, grace: 0.5)
        let result = await PlanRunner(request).run()
        // Every result a test makes must conform to the published schema.
        do {
            let problems = try await SchemaCheck.problems(result.json().jsonText(indent: 2), schema: "schemas/result.schema.json")
            #expect(problems == nil, "result does not match schemas/result.schema.json: \(problems ?? "")")
        } catch {
            Issue.record(error)
        }
        return result
    }

    private func tempDir() -> String {
        let path = NSTemporaryDirectory() + "planrun-test-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func capturesOfEveryKind() async {
        let json = #"{"a": {"b": [10, 20]}}"#
        let plan = B.plan(steps: [
            B.run("out", "printf '  hello  \\n'", captures: [Capture(name: "greeting", source: .stdout)]),
            B.run("js", "echo '\(json)'", captures: [Capture(name: "second", source: .json(["a", "b", "1"]), conversion: .int)]),
            B.run("re", "echo 'height=15234 peers=2'", captures: [Capture(name: "height", source: .regex(#"height=(\d+)"#), conversion: .int)]),
            B.run("ls", "printf 'a\\n\\nb\\n'", captures: [Capture(name: "items", source: .lines)]),
        ], output: [
            OutputField(name: "greeting", value: .scalar(B.template("${{ nodes.local.greeting }}"), typedLiteral: nil), range: .unknown),
            OutputField(name: "second", value: .scalar(B.template("${{ nodes.local.second }}"), typedLiteral: nil), range: .unknown),
            OutputField(name: "height", value: .scalar(B.template("${{ nodes.local.height + 1 }}"), typedLiteral: nil), range: .unknown),
            OutputField(name: "items", value: .scalar(B.template("${{ nodes.local.items }}"), typedLiteral: nil), range: .unknown),
        ])
        let result = await run(plan)
        #expect(result.output["greeting"] == .string("hello"))
        #expect(result.output["second"] == .int(20))
        #expect(result.output["height"] == .int(15235))
        #expect(result.output["items"] == .array([.string("a"), .string("b")]))
        #expect(result.validationStatus == .success)
        #expect(result.exitCode == 0)
    }

    @Test func aCaptureThatCannotBeMadeFailsTheStep() async {
        let plan = B.plan(steps: [
            B.run("js", "echo not-json", captures: [Capture(name: "x", source: .json(["a"]))]),
        ])
        let result = await run(plan)
        #expect(result.steps.first?.status == .failed)
        #expect(result.issues.first?.kind == .command)
        #expect(result.issues.first?.message.contains("not JSON") == true)
        #expect(result.validationStatus == .failed)
        #expect(result.exitCode == 2)
    }

    @Test func assertsDecideTheStatus() async {
        func plan(_ conditions: [String]) -> (Plan, PlanCore.Operation) {
            B.plan(steps: [B.run("one", "echo 1", captures: [Capture(name: "n", source: .stdout, conversion: .int)])]
                + conditions.enumerated().map { B.assert("a\($0.offset)", $0.element) })
        }
        let success = await run(plan(["${{ nodes.local.n == 1 }}", "${{ true }}"]))
        #expect(success.validationStatus == .success && success.confidence == 1 && success.exitCode == 0)
        let partial = await run(plan(["${{ nodes.local.n == 1 }}", "${{ nodes.local.n == 2 }}"]))
        #expect(partial.validationStatus == .partial && partial.confidence == 0.5 && partial.exitCode == 1)
        #expect(partial.issues.map(\.kind) == [.validation])
        let failed = await run(plan(["${{ nodes.local.n == 3 }}"]))
        #expect(failed.validationStatus == .failed && failed.confidence == 0 && failed.exitCode == 2)
    }

    @Test func maxParallelBoundsCommandsInFlight() async throws {
        let dir = tempDir()
        let log = dir + "/log"
        let nodes = (1...10).map { "n\($0)" }
        let plan = B.plan(nodes: nodes, maxParallel: 5, steps: [
            B.run("sleep", "echo s >> \(log); sleep 0.5; echo e >> \(log)", target: nodes),
        ])
        // The run's own clock: the schema check that `run` adds afterwards is not part of the bound.
        let result = await run(plan)
        let elapsed = Duration.seconds(result.executionTime)
        #expect(result.steps.filter { $0.status == .succeeded }.count == 10)
        // Two waves of five cannot end before 1 s. That they overlapped, and never more than five, is what the
        // count of commands in flight below shows; an upper bound on the wall time only measured how busy the
        // machine was (8.6 s once in CI).
        #expect(elapsed >= .seconds(1.0), "took \(elapsed)")
        let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        var inFlight = 0
        var most = 0
        for line in lines {
            inFlight += line == "s" ? 1 : -1
            most = max(most, inFlight)
        }
        #expect(most == 5)
    }

    @Test func theDeadlineCutsTheRun() async {
        let plan = B.plan(deadline: 2, steps: (1...4).map { B.run("s\($0)", "sleep 1") })
        let result = await run(plan)
        let elapsed = Duration.seconds(result.executionTime)
        #expect(elapsed >= .seconds(2), "took \(elapsed)")
        // 1 s steps end just after each whole second, so the deadline normally cuts the second one. In a busy
        // test process its timer may fire a little late, just after that step ended: then the third step is
        // the one cut, or is not started. Either way nothing runs past the deadline, and the result says why.
        let statuses = result.steps.map(\.status)
        #expect(statuses.first == .succeeded)
        #expect(statuses.filter { $0 == .cancelled }.count <= 1)
        #expect(statuses.last == .notRun)
        let firstCut = result.steps.first { $0.status == .cancelled || $0.status == .notRun }
        #expect(firstCut?.reason?.contains("deadline") == true, "\(result.steps.map { ($0.step, $0.status, $0.reason) })")
        #expect(result.issues.contains { $0.kind == .timeout && $0.message.contains("deadline") })
        #expect(result.validationStatus == .failed)
    }

    @Test func aTimeoutKillsTheWholeTree() async {
        let plan = B.plan(steps: [
            B.run("stubborn", "sh -c 'trap \"\" TERM; sleep 300.4242 & wait'", timeout: 1),
        ])
        let result = await run(plan)
        #expect(result.executionTime < 8)
        #expect(result.issues.first?.kind == .timeout)
        #expect(result.steps.first?.status == .failed)
        // SIGKILL is delivered asynchronously: give the kernel a moment to end the process.
        #expect(await ProcessProbe.wait(upTo: 2) { ProcessProbe.pids(withArgument: "300.4242").isEmpty })
    }

    @Test func retriesUntilSuccess() async {
        let dir = tempDir()
        let plan = B.plan(steps: [
            B.run("flaky", "n=$(cat \(dir)/n 2>/dev/null || echo 0); n=$((n+1)); echo $n > \(dir)/n; [ $n -ge 3 ]", retries: 3, delay: 0.05),
        ])
        let result = await run(plan)
        #expect(result.steps.first?.status == .succeeded)
        #expect(result.steps.first?.attempts == 3)
        #expect(result.issues.isEmpty)
    }

    @Test func untilPollsASucceededStep() async {
        let dir = tempDir()
        let plan = B.plan(steps: [
            B.run("poll", "n=$(cat \(dir)/n 2>/dev/null || echo 0); n=$((n+1)); echo $n > \(dir)/n; echo $n",
                  timeout: 5, delay: 0.05, until: "${{ nodes.local.count >= 3 }}",
                  captures: [Capture(name: "count", source: .stdout, conversion: .int)]),
        ])
        let result = await run(plan)
        #expect(result.steps.first?.status == .succeeded)
        #expect(result.steps.first?.attempts == 3)
    }

    @Test func aFallbackStepRecovers() async {
        let plan = B.plan(steps: [
            B.run("main", "echo broken >&2; exit 3", fallback: [B.run("rescue", "echo rescued")]),
            B.run("after", "echo after"),
        ])
        let result = await run(plan)
        let main = result.steps.first { $0.step == "main" }
        #expect(main?.status == .recovered)
        #expect(result.steps.first { $0.step == "after" }?.status == .succeeded)
        #expect(result.issues.first?.recovered == true)
        #expect(result.issues.first?.stderrTail == "broken")
        #expect(result.validationStatus == .success)
    }

    @Test func onErrorFailStopsLaterStepsAndContinueDoesNot() async {
        let failing = await run(B.plan(steps: [B.run("bad", "exit 1"), B.run("later", "true")]))
        #expect(failing.steps.map(\.status) == [.failed, .notRun])
        #expect(failing.exitCode == 2)
        let going = await run(B.plan(steps: [B.run("bad", "exit 1", onError: .continue), B.run("later", "true")]))
        #expect(going.steps.map(\.status) == [.failed, .succeeded])
        #expect(going.validationStatus == .partial)
    }

    @Test func markOfflineSkipsTheNodeLater() async {
        let plan = B.plan(nodes: ["a", "b"], steps: [
            B.run("probe", "[ ${{ node.name }} = a ]", target: ["a", "b"], onError: .markOffline),
            B.run("work", "true", target: ["a", "b"]),
        ])
        let result = await run(plan)
        let work = result.steps.filter { $0.step == "work" }
        #expect(work.map(\.status) == [.succeeded, .skipped])
        #expect(work.last?.reason?.contains("offline") == true)
    }

    @Test func destructiveStepsRunOnlyWhenTheGuardHolds() async {
        let force = InputDeclaration(name: "force", kind: .bool, defaultValue: .bool(false))
        let plan = B.plan(inputs: [force], destructiveWhen: "${{ inputs.force }}", steps: [
            B.run("restart", "true", destructive: true),
        ])
        let guarded = await run(plan, inputs: Value.Object([("force", .bool(false))]))
        #expect(guarded.steps.first?.status == .skipped)
        #expect(guarded.steps.first?.reason?.contains("destructive") == true)
        let forced = await run(plan, inputs: Value.Object([("force", .bool(true))]))
        #expect(forced.steps.first?.status == .succeeded)
    }

    @Test func hostileInputsArriveLiterallyAndRunNothing() async throws {
        let dir = tempDir()
        let hostile = ["$(touch \(dir)/a)", "';touch \(dir)/b;'", "`touch \(dir)/c`", "x\ntouch \(dir)/d", "\"; touch \(dir)/e; \"", "$HOME && touch \(dir)/f"]
        for (i, value) in hostile.enumerated() {
            let plan = B.plan(steps: [
                B.run("echo", "printf '%s' ${{ inputs.message }} > \(dir)/out\(i)"),
            ])
            let result = await run(plan, inputs: Value.Object([("message", .string(value))]))
            #expect(result.validationStatus == .success)
            #expect(try String(contentsOfFile: "\(dir)/out\(i)", encoding: .utf8) == value)
        }
        let made = try FileManager.default.contentsOfDirectory(atPath: dir).filter { !$0.hasPrefix("out") }
        #expect(made.isEmpty)
    }

    @Test func secretsAreNeverPrinted() async {
        let token = InputDeclaration(name: "token", kind: .string, secret: true)
        let plan = B.plan(inputs: [token], steps: [
            B.run("use", "echo token is ${{ inputs.token }}; echo ${{ inputs.token }} >&2; exit 1",
                  captures: [Capture(name: "echoed", source: .stdout)], onError: .continue),
        ], output: [OutputField(name: "t", value: .scalar(B.template("${{ inputs.token }}"), typedLiteral: nil), range: .unknown)])
        let result = await run(plan, inputs: Value.Object([("token", .string("s3cr3t-value"))]))
        let text = result.json().jsonText()
        #expect(!text.contains("s3cr3t-value"))
        #expect(text.contains("***"))
    }

    @Test func dryRunExecutesNothing() async throws {
        let dir = tempDir()
        let plan = B.plan(nodes: ["a", "b"], steps: [
            B.run("touch", "touch \(dir)/${{ node.name }}", target: ["a", "b"]),
            B.run("guarded", "touch \(dir)/guarded", target: ["a"], destructive: true),
        ])
        let result = await run(plan, dryRun: true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
        #expect(result.steps.map(\.status) == [.planned, .planned, .skipped])
        #expect(result.steps.first?.command == "touch \(dir)/a")
    }
}
