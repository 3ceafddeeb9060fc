import PlanEngine
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The tools of the served directories: each operation of each valid plan. When two files name the same
/// plan, the first one found wins, as `planrun run NAME` finds it first.
///
/// Each `tools/list` walks the directories again, but a plan file is decoded again only when it changed on
/// disk (inode, size or modification time), so a listing stays cheap and always current. Why a plan is not
/// offered is logged once per version of its file. The read loop and the change watcher both ask; a lock keeps
/// one walk at a time.
final class ToolCatalog: Sendable {
    private struct Entry {
        var stamp: FileStamp
        var tools: [Tool]
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var inventoryStamp: FileStamp?
        /// Files whose plan name an earlier file already offers, logged while they stay so.
        var reportedShadows: Set<String> = []
    }

    let directories: [String]
    let inventoryFile: String?
    private let log: @Sendable (String) -> Void
    private let state = Mutex(State())

    init(directories: [String], inventoryFile: String?, log: @escaping @Sendable (String) -> Void) {
        self.directories = directories
        self.inventoryFile = inventoryFile
        self.log = log
    }

    /// The current tools, in directory order, then file order, then operation order.
    func tools() -> [Tool] {
        state.withLock { walk(&$0) }
    }

    private func walk(_ state: inout State) -> [Tool] {
        // Node inputs are offered as the inventory's names: a changed inventory changes every plan's tools.
        let stamp = inventoryFile.flatMap(FileStamp.init(path:))
        if stamp != state.inventoryStamp {
            state.entries.removeAll()
            state.inventoryStamp = stamp
        }
        var out: [Tool] = []
        var owners: [String: String] = [:]
        var present: Set<String> = []
        var shadowed: Set<String> = []
        for directory in directories {
            for file in SourceFile.plans(in: directory) where present.insert(file).inserted {
                guard let stamp = FileStamp(path: file) else { continue }
                if state.entries[file]?.stamp != stamp { state.entries[file] = Entry(stamp: stamp, tools: load(file)) }
                let tools = state.entries[file]!.tools
                guard let plan = tools.first?.plan else { continue }
                if let owner = owners[plan] {
                    shadowed.insert(file)
                    if state.reportedShadows.insert(file).inserted {
                        log("not offering \(file): the plan name '\(plan)' is already offered by \(owner)")
                    }
                    continue
                }
                owners[plan] = file
                out += tools
            }
        }
        state.entries = state.entries.filter { present.contains($0.key) }
        state.reportedShadows.formIntersection(shadowed)
        return out
    }

    /// The tools of one plan file, or none (and the reason logged) when it is not a valid plan.
    private func load(_ file: String) -> [Tool] {
        switch RunPreparation.loadPlan(named: file, inventoryFile: inventoryFile) {
        case .failure(let problems):
            let errors = problems.diagnostics.filter { $0.severity == .error }
            log("not offering \(file): it is not a valid plan (planrun validate \(file))\n"
                + errors.map { "  " + $0.summary }.joined(separator: "\n"))
            return []
        case .success(let (plan, _)):
            if let input = plan.input(named: InputSchema.dryRun) {
                log("not offering \(file): its input '\(input.name)' (\(file):\(input.range.start)) would hide the "
                    + "tools' own dry_run argument; rename it")
                return []
            }
            return plan.operations.map { Tool(plan: plan, operation: $0) }
        }
    }
}

/// What tells one version of a file from another without reading it.
struct FileStamp: Equatable {
    var device: UInt64
    var inode: UInt64
    var size: Int64
    var seconds: Int
    var nanoseconds: Int

    init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        size = Int64(info.st_size)
        seconds = Int(info.st_mtim.tv_sec)
        nanoseconds = Int(info.st_mtim.tv_nsec)
    }
}
