import Dispatch
import PlanEngine
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Records one run into the store: its row as `running` (with the pid) at the first flush, 0.2 s into the run,
/// the events as they come, the result at the end. A run that ends before its first flush (most do) is written
/// whole at its end, in one transaction. A store that fails costs a warning, never the run.
///
/// The store is opened lazily, at the first write or cache look-up, not when the run starts: opening it
/// (SQLite reads back the WAL and the schema) and writing the row took most of a millisecond before the first
/// step, which a user waits for at every run. Until then the run has a marker file (`RunMarker`), so a run
/// killed with `kill -9` before its row was written is still recorded, as `interrupted`, by the next planrun.
public final class RunRecorder: EventSink, StepCache {
    /// Where the store is, and what its row says of the run's start.
    private let directory: String
    private let start: RunStore.Start
    /// The run's marker until its row is written (`RunMarker`).
    private let marker: RunMarker?
    private let counter = Mutex(State())
    /// The store and the run's row in it once they exist. Held from taking the pending events to having written
    /// them: a flush under way when the run ends has written its events before `finish` takes the rest (the
    /// process may exit right after `finish`).
    private let record: Mutex<Record>

    private struct State {
        var seq = 0
        var failed = false
        var pending = EventLog()
    }

    private struct Record {
        var store: RunStore?
        var run: Int?
    }

    init(directory: String, start: RunStore.Start, marker: RunMarker? = nil) {
        self.directory = directory
        self.start = start
        self.marker = marker
        record = Mutex(Record())
    }

    /// A recorder for a run of `plan` about to start: only its marker is written, the store is not opened yet.
    /// `inputs` are masked.
    public static func start(directory: String, plan: Plan, operation: String, inputs: Value, rerunOf: Int?) -> RunRecorder {
        let path = absolute(plan.file)
        let digest = SourceFile.read(plan.file).map(SHA256.hex) ?? ""
        let start = RunStore.Start(
            planName: plan.name, planPath: path, planDigest: digest, operation: operation, inputs: inputs, rerunOf: rerunOf)
        return RunRecorder(directory: directory, start: start, marker: RunMarker.write(start, in: directory))
    }

    /// The run's id in the store, once its row is written (the first flush, or the end).
    public var run: Int? { record.withLock { $0.run } }

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

    /// Writes the events received since the last flush, in one transaction; the first flush writes the run's
    /// row with them. `flushPeriodically` calls it every 0.2 s while the run goes on: a `kill -9` loses at most
    /// the last 0.2 s of the log.
    public func flush() {
        record.withLock { record in
            guard !failed else { return }
            let log = takePending()
            do throws(RunStore.Failure) {
                if let run = record.run, let store = record.store {
                    try store.append(run: run, log: log)
                } else {
                    record.run = try opened(&record).begin(start, events: log, marker: marker)
                }
            } catch {
                warn(error.message, recorded: record.run != nil)
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

    private var failed: Bool { counter.withLock { $0.failed } }

    /// The store, opened on first use.
    private func opened(_ record: inout Record) throws(RunStore.Failure) -> RunStore {
        if let store = record.store { return store }
        let store = try RunStore(directory: directory, reconcile: false)
        store.holdCheckpointsBack()
        record.store = store
        return store
    }

    /// Ends the record, with the events not yet written, in one transaction; a run with no row yet is written
    /// whole. `json` is the masked result document.
    public func finish(_ result: RunResult, json: Value) {
        record.withLock { record in
            guard !failed else { return }
            let learned = Value.object(Self.bounded(result.learned))
            let log = takePending()
            do throws(RunStore.Failure) {
                let store = try opened(&record)
                // The end's commit checkpoints as any other would: the flushes' pages count, one checkpoint for all.
                store.resumeCheckpoints()
                if let run = record.run {
                    try store.finish(run: run, result: result, masked: json, learned: learned, events: log)
                } else {
                    record.run = try store.record(
                        start, result: result, masked: json, learned: learned, events: log, marker: marker)
                }
            } catch {
                warn(error.message, recorded: record.run != nil)
            }
        }
    }

    // MARK: StepCache

    public func lookup(node: String, command: String, maxAge: Double) -> CachedCommand? {
        cacheStore()?.cachedResult(node: node, command: command, maxAge: maxAge)
    }

    public func store(node: String, command: String, _ result: CachedCommand) {
        guard let store = cacheStore() else { return }
        do { try store.keep(node: node, command: command, result) } catch { warn("cannot cache a step result: \(error.message)") }
    }

    /// The store for the cache, opened on first use; nil once the store failed.
    private func cacheStore() -> RunStore? {
        guard !failed else { return nil }
        do {
            return try record.withLock { record throws(RunStore.Failure) in try opened(&record) }
        } catch {
            warn(error.message, recorded: run != nil)
            return nil
        }
    }

    /// One warning on stderr, then the recording stops: a broken store must not flood the progress. Before the
    /// run's row exists, the warning says the run is not recorded at all.
    private func warn(_ message: String, recorded: Bool = true) {
        let first = counter.withLock { state in
            defer { state.failed = true }
            return !state.failed
        }
        guard first else { return }
        // Left behind, the marker would have a later planrun record this run as interrupted.
        marker?.remove()
        let what = recorded ? "run store" : "the run is not recorded"
        StandardStream.write("planrun: \(what): \(message)\n", to: STDERR_FILENO)
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
