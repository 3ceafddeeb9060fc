import PlanEngine
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Records one run into the store as it happens: the row at the start (`running`, with the pid), each event
/// as it comes, the result at the end. A store that fails mid-run costs a warning, never the run.
public final class RunRecorder: EventSink, StepCache {
    public let store: RunStore
    public let run: Int
    private let counter = Mutex((seq: 0, failed: false))

    private init(store: RunStore, run: Int) {
        self.store = store
        self.run = run
    }

    /// Opens the store and writes the run's first row. `inputs` are masked.
    public static func start(
        directory: String, plan: Plan, operation: String, inputs: Value, rerunOf: Int?
    ) throws(RunStore.Failure) -> RunRecorder {
        let store = try RunStore(directory: directory)
        let path = absolute(plan.file)
        let digest = SourceFile.read(plan.file).map(SHA256.hex) ?? ""
        let id = try store.begin(RunStore.Start(
            planName: plan.name, planPath: path, planDigest: digest, operation: operation, inputs: inputs,
            rerunOf: rerunOf))
        return RunRecorder(store: store, run: id)
    }

    public func receive(_ event: Value) {
        let seq: Int? = counter.withLock { state in
            guard !state.failed else { return nil }
            state.seq += 1
            return state.seq
        }
        guard let seq else { return }
        do {
            try store.append(run: run, seq: seq, event: event)
        } catch {
            warn("cannot record an event: \(error.message)")
        }
    }

    /// Ends the record. `json` is the masked result document.
    public func finish(_ result: RunResult, json: Value) {
        do {
            try store.finish(run: run, result: result, masked: json, learned: .object(Self.bounded(result.learned)))
        } catch {
            warn(error.message)
        }
    }

    // MARK: StepCache

    public func lookup(node: String, command: String, maxAge: Double) -> CachedCommand? {
        store.cachedResult(node: node, command: command, maxAge: maxAge)
    }

    public func store(node: String, command: String, _ result: CachedCommand) {
        do { try store.keep(node: node, command: command, result) } catch { warn("cannot cache a step result: \(error.message)") }
    }

    /// One warning on stderr, then the recording stops: a broken store must not flood the progress.
    private func warn(_ message: String) {
        let first = counter.withLock { state in
            defer { state.failed = true }
            return !state.failed
        }
        if first { StandardStream.write("planrun: run store: \(message)\n", to: STDERR_FILENO) }
    }

    /// Step results keep at most a tail of their output: the store is for what a rerun reads, not a log.
    static func bounded(_ learned: Value.Object) -> Value.Object {
        guard case .object(let steps)? = learned["steps"] else { return learned }
        func trim(_ value: Value) -> Value {
            guard case .object(var o) = value else { return value }
            for key in ["stdout", "stderr"] {
                if case .string(let text)? = o[key], text.utf8.count > RunEvents.tailBytes {
                    o[key] = .string(RunEvents.tail(of: text) ?? "")
                }
            }
            for (key, item) in o where item.isObject { o[key] = trim(item) }
            return .object(o)
        }
        var out = learned
        out["steps"] = trim(.object(steps))
        return out
    }

    public static func absolute(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

extension Value {
    var isObject: Bool { if case .object = self { true } else { false } }
}
