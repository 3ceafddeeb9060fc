import PlanEngine
import Testing

/// `--shard I/N`: parsing, `$JOB_COMPLETION_INDEX`, and the slices.
struct ShardTests {
    @Test(arguments: [
        ("0/4", [String: String](), 0, 4),
        ("3/4", [:], 3, 4),
        ("4", ["JOB_COMPLETION_INDEX": "2"], 2, 4),
        ("/4", ["JOB_COMPLETION_INDEX": "1"], 1, 4),
        ("0/1", [:], 0, 1),
    ])
    func parses(text: String, environment: [String: String], index: Int, count: Int) throws {
        let shard = try Shard.parse(text, environment: environment).get()
        #expect(shard == Shard(index: index, count: count))
    }

    @Test(arguments: [
        ("4/4", [String: String](), "shard index 4 is not in 0..<4"),
        ("-1/4", [:], "shard index -1 is not in 0..<4"),
        ("1/0", [:], "--shard expects I/N with N at least 1, got '1/0'"),
        ("a/4", [:], "--shard expects I/N, got 'a/4'"),
        ("1/2/3", [:], "--shard expects I/N with N at least 1, got '1/2/3'"),
        ("4", [:], "--shard 4 names no index and $JOB_COMPLETION_INDEX is not set"),
        ("4", ["JOB_COMPLETION_INDEX": "x"], "$JOB_COMPLETION_INDEX is not a number: 'x'"),
    ])
    func rejects(text: String, environment: [String: String], message: String) {
        guard case .failure(let error) = Shard.parse(text, environment: environment) else {
            Issue.record("\(text) was accepted")
            return
        }
        #expect(error.description == message)
    }

    @Test func slicesAreContiguousCoverEveryNodeOnceAndDifferByAtMostOne() {
        let nodes = (1...10).map { "n\($0)" }
        let slices = (0..<4).map { Array(Shard(index: $0, count: 4).slice(nodes)) }
        #expect(slices.flatMap { $0 } == nodes)
        #expect(slices.map(\.count) == [2, 3, 2, 3])
        // More shards than nodes: some shards are empty, none is lost.
        let few = (0..<5).map { Array(Shard(index: $0, count: 5).slice(["a", "b"])) }
        #expect(few.flatMap { $0 } == ["a", "b"])
    }
}
