import Dispatch
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
    private let counter = Mutex(State())
    /// Held from taking the pending events to having written them: a flush under way when the run ends has
    /// written its events before `finish` takes the rest (the process may exit right after `finish`).
    private let writing = Mutex(())

    private struct State {
        var seq = 0
        var failed = false
        var pending = EventLog()
    }

    init(store: RunStore, run: Int) {
        self.store = store
        self.run = run
    }

    /// Opens the store and writes the run's first row (marking dead runs `interrupted` in the same
    /// transaction). `inputs` are masked.
    public static func start(
        directory: String, plan: Plan, operation: String, inputs: Value, rerunOf: Int?
    ) throws(RunStore.Failure) -> RunRecorder {
        let store = try RunStore(directory: directory, reconcile: false)
        let path = absolute(plan.file)
        let digest = SourceFile.read(plan.file).map(SHA256.hex) ?? ""
        let id = try store.begin(RunStore.Start(
            planName: plan.name, planPath: path, planDigest: digest, operation: operation, inputs: inputs,
            rerunOf: rerunOf))
        return RunRecorder(store: store, run: id)
    }

    /// Keeps the event for the next `flush()`: one write transaction per event cost about a millisecond each
    /// on a busy machine (locks and a WAL frame apiece), a quarter of a 100-step run; and one row per event
    /// most of what recording cost a 100-step run, so the events between two writes are one row.
    public func receive(_ event: EventText) {
        counter.withLock { state in
            guard !state.failed else { return }
            state.seq += 1
            state.pending.append(event, seq: state.seq)
        }
    }

    /// Writes the events received since the last flush, in one transaction. `flushPeriodically` calls it
    /// every 0.2 s while the run goes on: a `kill -9` loses at most the last 0.2 s of the log.
    public func flush() {
        writing.withLock { _ in
            do throws(SQLite.Failure) {
                try store.append(run: run, log: takePending())
            } catch {
                warn("cannot record events: \(error.message)")
            }
        }
    }

    /// Calls `flush()` every `interval` on a Dispatch timer until it is cancelled. Cancelling writes nothing
    /// more: what is pending then goes with `finish`, in the transaction that ends the record (a flush on
    /// cancellation made a run's end two write transactions that rewrote the same pages).
    public func flushPeriodically(every interval: Duration = .milliseconds(200)) -> PeriodicFlush {
        PeriodicFlush(every: interval) { [self] in flush() }
    }

    private func takePending() -> EventLog {
        counter.withLock { state in
            defer { state.pending = EventLog() }
            return state.pending
        }
    }

    /// Ends the record, with the events not yet written, in one transaction. `json` is the masked result
    /// document.
    public func finish(_ result: RunResult, json: Value) {
        writing.withLock { _ in
            do throws(RunStore.Failure) {
                try store.finish(
                    run: run, result: result, masked: json, learned: .object(Self.bounded(result.learned)), events: takePending())
            } catch {
                warn(error.message)
            }
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
        guard case .object(let steps)? = learned["steps"], let trimmed = trimmed(steps) else { return learned }
        var out = learned
        out["steps"] = .object(trimmed)
        return out
    }

    /// `o` with every `stdout` and `stderr` longer than a tail cut to one, at any depth; nil when none is. An
    /// object is copied only when something in it changes: writing every child back (unchanged) while
    /// iterating copied each object once per child (0.6 M instructions at the end of a 100-step run, now 0.2 M).
    private static func trimmed(_ o: Value.Object) -> Value.Object? {
        var out: Value.Object?
        for (key, item) in o {
            let replacement: Value
            switch item {
            case .string(let text) where (key == "stdout" || key == "stderr") && text.utf8.count > RunEvents.tailBytes:
                replacement = .string(RunEvents.tail(of: text) ?? "")
            case .object(let inner):
                guard let t = trimmed(inner) else { continue }
                replacement = .object(t)
            default:
                continue
            }
            if out == nil { out = o }
            out?[key] = replacement
        }
        return out
    }

    public static func absolute(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

/// A recorder's periodic flush. A Dispatch timer, not a task sleeping in a loop: the task's first
/// `Task.sleep` looked up its executor's conformances (0.15 M instructions at every recorded run's start, most
/// of a one-step run's recording beside the database), where the signal trap has already set Dispatch up.
public final class PeriodicFlush: @unchecked Sendable {
    // @unchecked: the timer source is only resumed and cancelled, both thread-safe.
    private let timer: any DispatchSourceTimer

    init(every interval: Duration, _ flush: @escaping @Sendable () -> Void) {
        let (seconds, attoseconds) = interval.components
        let nanoseconds = Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
        timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "planrun.store.flush"))
        timer.schedule(deadline: .now() + .nanoseconds(nanoseconds), repeating: .nanoseconds(nanoseconds), leeway: .milliseconds(20))
        timer.setEventHandler(handler: flush)
        timer.resume()
    }

    /// No flush starts after this returns; one already under way finishes.
    public func cancel() { timer.cancel() }
}
