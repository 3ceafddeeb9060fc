import Foundation
import PlanTestSupport
import Testing

/// Every input in `Fuzz/regressions/TARGET/` (each once made a reader trap, hang or misbehave, most found by
/// `scripts/fuzz`) goes through its target again: the test process itself would crash on a regression.
@Suite struct FuzzRegressionTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fuzz/regressions")

    static var cases: [String] {
        FuzzTarget.allCases.flatMap { target in
            let dir = root.appendingPathComponent(target.rawValue).path
            let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
            return names.sorted().map { "\(target.rawValue)/\($0)" }
        }
    }

    @Test(arguments: cases)
    func replays(_ name: String) throws {
        let target = try #require(FuzzTarget(rawValue: String(name.prefix { $0 != "/" })))
        let bytes = try #require(FileManager.default.contents(atPath: Self.root.appendingPathComponent(name).path))
        target.run(Array(bytes))
    }

    @Test func everyTargetIsReplayedFromTheRepository() {
        // The fixture directory is found (a wrong path would make `replays` run no case at all).
        #expect(Self.cases.count >= 3)
    }
}
