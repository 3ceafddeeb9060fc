import ArgumentParser
import PlanEngine
import PlanStore

/// The run store's side of `planrun run`: where it is, what a rerun repeats, recording the run.
enum RunRecording {
    static var directory: String {
        var environment: [String: String] = [:]
        for name in ["PLANRUN_STATE", "XDG_STATE_HOME", "HOME"] { environment[name] = Terminal.environment(name) }
        return RunStore.directory(environment: environment)
    }

    /// Opens the store, or prints why not and throws `ExitCode(code)`.
    static func open(orExit code: Int32 = 1) throws -> RunStore {
        do {
            return try RunStore(directory: directory)
        } catch {
            Terminal.writeError("error: \(error.message)\n")
            throw ExitCode(code)
        }
    }

    /// A run id, or `last` (the newest run, of `plan` when given); prints why not and throws `ExitCode(64)` otherwise.
    static func runID(_ text: String, in store: RunStore, plan: String? = nil) throws -> Int {
        if text == "last" {
            guard let id = try? store.lastRunID(plan: plan) else {
                Terminal.writeError("error: no recorded run\(plan.map { " of \($0)" } ?? "") in \(store.path)\n")
                throw ExitCode(64)
            }
            return id
        }
        guard let id = Int(text), id > 0 else {
            Terminal.writeError("error: expected a run id or 'last', got '\(text)'\n")
            throw ExitCode(64)
        }
        return id
    }

    /// What `--rerun-failed RUN` leaves to do for `request`; throws `ExitCode(64)` when the run is unknown or of
    /// another operation, `ExitCode(0)` (with a note) when nothing failed there.
    static func rerun(_ spec: String, for request: RunRequest) throws -> Rerun {
        let store = try open(orExit: 64)
        let id = try runID(spec, in: store, plan: absolute(request.plan.file))
        guard let run = try? store.run(id) else {
            Terminal.writeError("error: no run \(id) in \(store.path)\n")
            throw ExitCode(64)
        }
        guard run.operation == request.operation.name else {
            Terminal.writeError("error: run \(id) ran operation '\(run.operation)'; pass -i operation=\(run.operation) to rerun it\n")
            throw ExitCode(64)
        }
        let records = StoredRun.stepRecords(result: run.result, events: (try? store.events(of: id)) ?? [])
        var learned = Value.Object()
        if case .object(let o)? = run.learned { learned = o }
        guard let rerun = Rerun.left(by: records, in: request.operation, previous: id, learned: learned) else {
            Terminal.writeError("nothing to rerun: every step of run \(id) ended well\n")
            throw ExitCode(0)
        }
        return rerun
    }

    static func absolute(_ path: String) -> String { RunRecorder.absolute(path) }
}

extension RunRecording {
    /// How the store knows a plan given on the command line: an existing file by its absolute path, anything
    /// else by the plan name (or the file `run` would find for it).
    static func planKey(_ text: String) -> String {
        var environment: [String: String] = [:]
        if let path = Terminal.environment("PLANRUN_PATH") { environment["PLANRUN_PATH"] = path }
        if let found = PlanLocator.locate(text, environment: environment).path { return absolute(found) }
        return text
    }
}
