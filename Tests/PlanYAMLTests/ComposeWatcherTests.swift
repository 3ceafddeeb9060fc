@testable import PlanYAML
import Testing

/// A watcher is offered the items of the sequences at its path as the composer finishes them, and is given
/// the composer's waiting time; neither changes what the composer builds.
@Suite struct ComposeWatcherTests {
    /// Records what it is offered and does `work` units of pretend work while the composer waits.
    final class Recorder: ComposeWatcher {
        let path: [String?]
        var offered: [(keys: [String], item: YAMLNode, list: PlanYAML.SourceLocation)] = []
        var work: Int
        var calls = 0

        init(path: [String?], work: Int = 0) {
            self.path = path
            self.work = work
        }

        func offer(_ item: YAMLNode, keys: [String], list: PlanYAML.SourceLocation) { offered.append((keys, item, list)) }

        func workWhileWaiting() -> Bool {
            calls += 1
            guard work > 0 else { return false }
            work -= 1
            return true
        }
    }

    static let document = """
        shared: &shared { id: shared }
        operations:
          a:
            execute: [{ id: x }, { id: y, errors: [{ match: nested }] }]
            analyze:
              - id: z
            ? [not, a, list, of, steps]
            : ignored
          b:
            plan: [*shared, { id: w }, plain, [inner]]
        other:
          a:
            execute: [{ id: elsewhere }]
        """

    @Test func itemsOfTheWatchedListsAreOfferedAsTheyAreFinished() throws {
        let recorder = Recorder(path: ["operations", nil, nil])
        let (node, problems) = YAMLComposer.compose(
            Array(Self.document.utf8), file: "w.yaml", limits: .default, pipelined: true, watcher: recorder)
        #expect(problems.isEmpty)
        let tree = try #require(node)
        // Not offered: the alias (its place is its anchor's), the plain scalar (built straight into its list),
        // the nested `errors` list, the list used as a key, and the lists under `other`.
        #expect(recorder.offered.map(\.keys) == [
            ["operations", "a", "execute"], ["operations", "a", "execute"], ["operations", "a", "analyze"],
            ["operations", "b", "plan"], ["operations", "b", "plan"],
        ])
        #expect(recorder.offered.map { $0.item["id"]?.scalar } == ["x", "y", "z", "w", nil])
        // Each offered item is the very node that ends up in the tree.
        let plan = try #require(tree["operations"]?["b"]?["plan"]?.sequence)
        #expect(recorder.offered[3].item == plan[1])
        #expect(recorder.offered[4].item == plan[3])
        // Each is told where its list starts: the list node's own start.
        let execute = try #require(tree["operations"]?["a"]?["execute"])
        #expect(recorder.offered.map(\.list) == [
            execute.range.start, execute.range.start, try #require(tree["operations"]?["a"]?["analyze"]).range.start,
            try #require(tree["operations"]?["b"]?["plan"]).range.start, try #require(tree["operations"]?["b"]?["plan"]).range.start,
        ])
    }

    @Test func aBusyWatcherChangesNothingAndOneThreadNeverCallsIt() throws {
        let bytes = Array(PipelineTests.document(items: 600).utf8)
        let busy = Recorder(path: [nil], work: 1_000_000)
        let piped = YAMLComposer.compose(bytes, file: "big.yaml", limits: .default, pipelined: true, watcher: busy)
        let single = YAMLComposer.compose(bytes, file: "big.yaml", limits: .default, pipelined: false)
        #expect(piped.node == single.node)
        #expect(piped.diagnostics == single.diagnostics)
        #expect(busy.offered.map(\.keys) == Array(repeating: ["items"], count: 600))
        #expect(busy.offered.last?.item == single.node?["items"]?.sequence?.last)

        // On one thread nothing waits: the watcher is neither offered items nor called.
        let idle = Recorder(path: [nil])
        _ = YAMLComposer.compose(bytes, file: "big.yaml", limits: .default, pipelined: false, watcher: idle)
        #expect(idle.offered.isEmpty)
        #expect(idle.calls == 0)
    }

    @Test func aComposerThatStopsEarlyStillEndsWithAWatcher() {
        let text = "first: *nowhere\n" + PipelineTests.document(items: 600)
        let recorder = Recorder(path: [nil], work: 1_000_000)
        let (node, problems) = YAMLComposer.compose(
            Array(text.utf8), file: "big.yaml", limits: .default, pipelined: true, watcher: recorder)
        #expect(node == nil)
        #expect(problems.map(\.id) == [.yamlUnknownAlias])
        #expect(recorder.offered.isEmpty)
    }
}
