import Foundation
import PlanTestSupport
import Testing

/// Issue 13 through the built binary: runs recorded into one store at once, a run killed with SIGKILL,
/// `history`, `show` (text, json, html in a real headless chromium), `--events` checked by check-jsonschema.
@Suite(.serialized)
struct RunStoreTests {
    let state: String
    let dir: String

    init() throws {
        dir = NSTemporaryDirectory() + "planrun-store-\(UUID().uuidString)"
        state = dir + "/state"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    private func plan(_ name: String, _ yaml: String) throws -> String {
        let path = dir + "/\(name).yaml"
        try yaml.replacingOccurrences(of: "DIR", with: dir).write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    private func planrun(_ arguments: [String], environment: [String: String] = [:]) async throws -> BinaryRunner.Output {
        try await BinaryRunner.run(arguments, environment: environment.merging(["PLANRUN_STATE": state]) { a, _ in a })
    }

    private func history() async throws -> [[String: Any]] {
        let out = try await planrun(["history", "--format", "json"])
        #expect(out.exitCode == 0, "history: \(out.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [[String: Any]])
    }

    private func show(_ run: String) async throws -> [String: Any] {
        let out = try await planrun(["show", run, "--format", "json"])
        #expect(out.exitCode == 0, "show: \(out.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any])
    }

    @Test func twoRunsAtOnceAreBothRecordedWithTheirEvents() async throws {
        let path = try plan("pair", """
            planrun: 1
            name: pair
            operations:
              op:
                execute:
                  - { id: nap, run: "sleep 0.3; echo slept" }
                  - { id: more, run: "echo more" }
            """)
        let environment = ["PLANRUN_STATE": state]
        let first = try BinaryRunner.start(["run", path, "-q"], environment: environment)
        let second = try BinaryRunner.start(["run", path, "-q"], environment: environment)
        let (a, b) = (await first.wait(timeout: 30), await second.wait(timeout: 30))
        #expect(a.status == 0 && b.status == 0, "\(a.stderr) \(b.stderr)")
        let runs = try await history()
        #expect(runs.count == 2)
        #expect(runs.allSatisfy { $0["status"] as? String == "finished" && $0["exit_code"] as? Int == 0 })
        for run in runs {
            let shown = try await show("\(run["id"] as? Int ?? 0)")
            let events = shown["events"] as? [[String: Any]] ?? []
            #expect(events.map { $0["event"] as? String ?? "" }
                == ["run_started", "step_started", "step_finished", "step_started", "step_finished", "run_finished"])
            #expect(events.first { $0["step"] as? String == "nap" && $0["event"] as? String == "step_finished" }?["stdout_tail"] as? String == "slept")
        }
    }

    /// The store is not opened before the first step: a run shorter than the recorder's first flush finds no
    /// store yet (here a new one), and its record is all there once it has ended.
    @Test func aRunsFirstStepStartsBeforeTheStoreIsOpened() async throws {
        let path = try plan("short", """
            planrun: 1
            name: short
            operations:
              op:
                execute:
                  - { id: look, run: "test ! -e STATE/runs.sqlite && echo no store yet" }
            """.replacingOccurrences(of: "STATE", with: state))
        let run = try await planrun(["run", path, "-q"])
        #expect(run.exitCode == 0, "run: \(run.stderr)")
        let runs = try await history()
        #expect(runs.count == 1 && runs.first?["status"] as? String == "finished")
        let shown = try await show("last")
        let events = shown["events"] as? [[String: Any]] ?? []
        #expect(events.first { $0["event"] as? String == "step_finished" }?["stdout_tail"] as? String == "no store yet")
    }

    @Test func aRunKilledWithSigkillIsMarkedInterruptedAndCanBeShown() async throws {
        let path = try plan("long", """
            planrun: 1
            name: long
            operations:
              op:
                execute:
                  - { id: quick, run: "echo quick" }
                  - { id: slow, run: "echo $$ > DIR/slow.pid; exec sleep 30" }
            """)
        let events = dir + "/events.ndjson"
        let child = try BinaryRunner.start(["run", path, "-q", "--events", events], environment: ["PLANRUN_STATE": state])
        // Wait until the slow step has started, then kill planrun without a chance to clean up.
        let deadline = Date().addingTimeInterval(20)
        while !((try? String(contentsOfFile: events, encoding: .utf8))?.contains("\"step\":\"slow\"") ?? false), Date() < deadline {
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        try await Task.sleep(nanoseconds: 600_000_000)  // the store takes events every 0.2 s
        let running = try await history()
        #expect(running.first?["status"] as? String == "running")
        child.signal(SIGKILL)
        _ = await child.wait(timeout: 10)
        // The orphaned `sleep 30` has its own process group: end it so nothing is left behind.
        if let pid = Int32((try? String(contentsOfFile: dir + "/slow.pid", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? "") { kill(pid, SIGKILL) }
        let runs = try await history()
        #expect(runs.first?["status"] as? String == "interrupted")
        #expect(runs.first?["ended_at"] is String)
        let text = try await planrun(["show", "last"])
        #expect(text.exitCode == 0)
        #expect(text.stdout.contains("interrupted"), "show: \(text.stdout)")
        #expect(text.stdout.contains("succeeded quick"), "show: \(text.stdout)")
        #expect(text.stdout.contains("no result: the run was cut short"))
        let integrity = try await ChildProcess("/usr/bin/sqlite3", [state + "/runs.sqlite", "PRAGMA integrity_check"]).wait(timeout: 30)
        #expect(integrity.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "ok")
    }

    /// Killed before its first flush, a run has no row yet, only its marker: `history` records it as
    /// `interrupted` all the same.
    @Test func aRunKilledBeforeItsRowWasWrittenIsStillRecordedAsInterrupted() async throws {
        let path = try plan("early", """
            planrun: 1
            name: early
            operations:
              op:
                execute:
                  - { id: slow, run: "echo $$ > DIR/early.pid; exec sleep 30" }
            """)
        let child = try BinaryRunner.start(["run", path, "-q"], environment: ["PLANRUN_STATE": state])
        let deadline = Date().addingTimeInterval(20)
        while access(dir + "/early.pid", F_OK) != 0, Date() < deadline { try await Task.sleep(nanoseconds: 2_000_000) }
        child.signal(SIGKILL)
        _ = await child.wait(timeout: 10)
        if let pid = Int32((try? String(contentsOfFile: dir + "/early.pid", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? "") { kill(pid, SIGKILL) }
        let runs = try await history()
        #expect(runs.count == 1)
        #expect(runs.first?["status"] as? String == "interrupted")
        #expect(runs.first?["plan"] as? String == "early", "\(runs)")
    }

    @Test func eventsStreamMatchesTheirSchemaAndTheStoredLog() async throws {
        let path = try plan("mixed", """
            planrun: 1
            name: mixed
            inputs:
              token: { type: string, default: s3cr3t-value, secret: true }
            operations:
              op:
                execute:
                  - { id: hello, run: "echo hello ${{ inputs.token }}" }
                  - { id: broken, run: "echo 'error: said on stdout'; exit 3", on_error: continue }
                validate:
                  - { id: fine, assert: "${{ 1 == 1 }}" }
            """)
        let events = dir + "/events.ndjson"
        let run = try await planrun(["run", path, "-q", "--events", events])
        #expect(run.exitCode == 1, "run: \(run.stderr)")
        let streamed = try String(contentsOfFile: events, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(!streamed.joined().contains("s3cr3t-value"))
        #expect(streamed.joined().contains("hello ***"))
        var files: [String] = []
        for (i, line) in streamed.enumerated() {
            let file = dir + "/event-\(i).json"
            try line.write(toFile: file, atomically: true, encoding: .utf8)
            files.append(file)
        }
        let check = try await SchemaCheck.validate(files, schema: "schemas/events.schema.json")
        #expect(check.status == 0, "events do not match schemas/events.schema.json: \(check.output)")
        let kinds = streamed.compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["event"] as? String
        }
        #expect(kinds.first == "run_started" && kinds.last == "run_finished" && kinds.contains("issue"))

        // The stored log has the same events; the failed step's stdout is kept, and the result has it too.
        let shown = try await show("last")
        let stored = (shown["events"] as? [Any] ?? []).count
        #expect(stored == streamed.count)
        let result = try #require(shown["result"] as? [String: Any])
        let issue = (result["issues"] as? [[String: Any]])?.first
        #expect(issue?["stdout_tail"] as? String == "error: said on stdout")
        let problems = try await SchemaCheck.problems(
            String(data: try JSONSerialization.data(withJSONObject: result), encoding: .utf8)!, schema: "schemas/result.schema.json")
        #expect(problems == nil, "\(problems ?? "")")
        #expect((shown["inputs"] as? [String: Any])?["token"] as? String == "***")
        let text = try await planrun(["show", "last"])
        #expect(text.stdout.contains("error: said on stdout"), "show: \(text.stdout)")

        // `--events -` puts the events on stdout, then the result on one line.
        let dash = try await planrun(["run", path, "-q", "--events", "-", "--no-record"])
        let lines = dash.stdout.split(separator: "\n")
        #expect(lines.count == streamed.count + 1)
        #expect(lines.last?.hasPrefix("{\"operation\"") ?? false, "last line: \(lines.last ?? "")")
    }

    @Test func aStepFinishedEventTakesEveryFieldOfAStepRecordAndAnIssueEventEveryFieldOfAnIssue() throws {
        func definitions(_ schema: String) throws -> [String: Any] {
            let data = try Data(contentsOf: URL(fileURLWithPath: SchemaCheck.packageRoot + "/" + schema))
            let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            return try #require(json["$defs"] as? [String: Any])
        }
        func properties(_ definitions: [String: Any], _ name: String) -> Set<String> {
            Set(((definitions[name] as? [String: Any])?["properties"] as? [String: Any])?.keys.map { $0 } ?? [])
        }
        let result = try definitions("schemas/result.schema.json")
        let events = try definitions("schemas/events.schema.json")
        #expect(properties(result, "step").subtracting(["id"]).subtracting(properties(events, "step_finished")).isEmpty)
        #expect(properties(result, "issue").subtracting(properties(events, "issue")).isEmpty)
    }

    @Test func noRecordLeavesTheStoreAlone() async throws {
        let path = try plan("quiet", """
            planrun: 1
            name: quiet
            operations:
              op:
                execute:
                  - { id: hi, run: "echo hi" }
            """)
        #expect(try await planrun(["run", path, "-q", "--no-record"]).exitCode == 0)
        #expect(try await planrun(["run", path, "--dry-run"]).exitCode == 0)
        #expect(try await history().isEmpty)
        #expect(try await planrun(["run", path, "-q"]).exitCode == 0)
        let runs = try await history()
        #expect(runs.count == 1)
        #expect(runs.first?["plan_path"] as? String == URL(fileURLWithPath: path).resolvingSymlinksInPath().path)
        let table = try await planrun(["history", "quiet"])
        #expect(table.stdout.contains("quiet") && table.stdout.contains("success"), "\(table.stdout)")
        #expect(try await planrun(["history", "other"]).stdout == "no recorded runs\n")
        let pruned = try await planrun(["prune", "--keep", "0"])
        #expect(pruned.stdout.hasPrefix("removed 1 run;"), "\(pruned.stdout)")
        #expect(try await history().isEmpty)
        let missing = try await planrun(["show", "7"])
        #expect(missing.exitCode == 64)
    }

    /// SQLite is linked in statically: `validate` and a `--no-record` run load no libsqlite3 (the dynamic loader's
    /// LD_DEBUG=files lists every shared object it opens), where the .so cost every command its loading and
    /// symbol binding, and nothing touches the store's directory.
    @Test func validateAndAnUnrecordedRunLoadNoSQLiteLibrary() async throws {
        let path = try plan("plain", """
            planrun: 1
            name: plain
            operations:
              op:
                execute:
                  - { id: hi, run: "true" }
            """)
        for arguments in [["validate", path], ["run", path, "-q", "--no-record"]] {
            let out = try await planrun(arguments, environment: ["LD_DEBUG": "files"])
            #expect(out.exitCode == 0, "\(arguments): \(out.stderr)")
            #expect(out.stderr.contains("libc.so"), "LD_DEBUG gave no list of libraries: \(out.stderr.prefix(300))")
            #expect(!out.stderr.contains("libsqlite3"), "\(arguments) loaded libsqlite3")
        }
        #expect(!FileManager.default.fileExists(atPath: state))
    }

    @Test func theHTMLPageShowsATimelineInHeadlessChromium() async throws {
        let path = try plan("page", """
            planrun: 1
            name: page
            inventory:
              nodes: { alpha: { transport: local }, beta: { transport: local } }
            operations:
              op:
                execute:
                  - { id: work, target: [alpha, beta], run: "echo 'working <b>'", on_error: continue }
                  - { id: fail, target: beta, run: "echo nope >&2; exit 1", on_error: continue }
                validate:
                  - { id: holds, assert: "${{ true }}" }
            """)
        #expect(try await planrun(["run", path, "-q"]).exitCode == 1)
        let page = try await planrun(["show", "last", "--format", "html"])
        #expect(page.exitCode == 0)
        #expect(!page.stdout.contains("http://") && !page.stdout.contains("https://") && !page.stdout.contains("<script"))
        let file = dir + "/page.html"
        try page.stdout.write(toFile: file, atomically: true, encoding: .utf8)
        let profile = dir + "/chromium-profile"
        let browser = try ChildProcess("/usr/bin/chromium", [
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--user-data-dir=\(profile)",
            "--dump-dom", "file://\(file)",
        ])
        let dom = await browser.wait(timeout: 90)
        #expect(dom.status == 0, "chromium: \(dom.stderr)")
        // The DOM chromium built: a lane per node, bars coloured by status, the issue and the result.
        #expect(dom.stdout.contains("<div class=\"lane\" data-node=\"alpha\">"))
        #expect(dom.stdout.contains("<div class=\"lane\" data-node=\"beta\">"))
        #expect(dom.stdout.contains("<div class=\"lane\" data-node=\"(no node)\">"))
        #expect(dom.stdout.contains("class=\"bar status-failed\" data-step=\"fail\""))
        #expect(dom.stdout.components(separatedBy: "class=\"bar status-succeeded\" data-step=\"work\"").count == 3)
        #expect(dom.stdout.contains("<pre>stderr:\nnope</pre>"))
        #expect(dom.stdout.contains("<li class=\"issue\">"))
        #expect(dom.stdout.contains("id=\"result\""))
    }
}
