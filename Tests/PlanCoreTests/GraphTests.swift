import PlanCore
import PlanTestSupport
import Testing

/// Steps run in file order unless `needs:` says otherwise; phases are barriers; cycles name their path.
@Suite struct GraphTests {
    func graph(_ steps: String, operation: String = "op") throws -> StepGraph {
        let (plan, _) = PlanDecoder.decode(bytes: Array("planrun: 1\noperations:\n  op:\n\(steps)".utf8), file: "g.yaml")
        return StepGraph(operation: try #require(plan?.operation(named: operation)))
    }

    @Test func sequentialByDefault() throws {
        let g = try graph("""
                execute:
                  - { id: a, run: x }
                  - { id: b, run: x }
                  - { id: c, run: x }
            """)
        #expect(g.dependencies(of: "a") == [])
        #expect(g.dependencies(of: "b") == ["a"])
        #expect(g.dependencies(of: "c") == ["b"])
        #expect(g.waves == [["a"], ["b"], ["c"]])
        #expect(g.cycles.isEmpty)
    }

    @Test func emptyNeedsStartsWithThePhase() throws {
        let g = try graph("""
                analyze:
                  - { id: probe, run: x }
                execute:
                  - { id: a, needs: [], run: x }
                  - { id: b, needs: [], run: x }
                  - { id: c, needs: [a, b], run: x }
                  - { id: d, run: x }
                  - { id: e, needs: [probe], run: x }
                validate:
                  - { id: v, assert: "${{ true }}" }
            """)
        #expect(g.dependencies(of: "c") == ["a", "b"])
        #expect(g.dependencies(of: "d") == ["c"])
        // Needs of an earlier phase are met by the barrier.
        #expect(g.dependencies(of: "e") == [])
        #expect(g.waves == [["probe"], ["a", "b", "e"], ["c"], ["d"], ["v"]])
    }

    @Test func longestPathLayering() throws {
        let g = try graph("""
                execute:
                  - { id: a, needs: [], run: x }
                  - { id: b, needs: [a], run: x }
                  - { id: c, needs: [b], run: x }
                  - { id: d, needs: [a, c], run: x }
                  - { id: e, needs: [a], run: x }
            """)
        #expect(g.waves == [["a"], ["b", "e"], ["c"], ["d"]])
    }

    @Test func needsOnAFallbackWaitsForItsOwner() throws {
        let g = try graph("""
                execute:
                  - id: a
                    run: x
                    fallback: [{ id: a_logs, run: y }]
                  - { id: b, needs: [a_logs], run: x }
            """)
        #expect(g.dependencies(of: "b") == ["a"])
    }

    @Test func cyclesNameTheirPath() throws {
        let g = try graph("""
                execute:
                  - { id: a, needs: [c], run: x }
                  - { id: b, needs: [a], run: x }
                  - { id: c, needs: [b], run: x }
                  - { id: d, needs: [d], run: x }
            """)
        #expect(g.cycles.count == 2)
        #expect(g.waves.flatMap { $0 }.sorted() == [0, 1, 2, 3].map { g.steps[$0].id }.sorted())
        let (_, diagnostics) = diagnose("planrun: 1\noperations:\n  op:\n    execute:\n      - { id: a, needs: [c], run: x }\n      - { id: b, needs: [a], run: x }\n      - { id: c, needs: [b], run: x }\n      - { id: d, needs: [d], run: x }\n")
        #expect(diagnostics.filter { $0.id == .planCycle }.map(\.message) == [
            "steps form a cycle: a -> c -> b -> a", "steps form a cycle: d -> d",
        ])
    }

    @Test func implicitEdgeInACycleIsReportedAtTheNeedsEntry() {
        let source = MarkedSource("""
            planrun: 1
            operations:
              op:
                execute:
                  - { id: a, needs: [1️⃣b], run: x }
                  - { id: b, run: x }
            """)
        let diagnostics = diagnose(source.text).diagnostics
        #expect(errorPlaces(diagnostics) == ["plan.cycle@\(source["1️⃣"])"])
        #expect(diagnostics.first?.message == "steps form a cycle: a -> b -> a")
    }

    @Test func longChainDoesNotExhaustTheStack() throws {
        var text = "    execute:\n"
        for i in 0..<20_000 { text += "      - { id: s\(i), run: x }\n" }
        let g = try graph(text)
        #expect(g.waves.count == 20_000)
        #expect(g.cycles.isEmpty)
    }

    @Test func mermaidAndDot() throws {
        let g = try graph("""
                analyze:
                  - { id: a, name: "say \\"hi\\"", run: x }
                execute:
                  - { id: b, needs: [], run: x }
                  - { id: c, needs: [b], run: x }
            """)
        #expect(g.mermaid() == """
            flowchart TD
              subgraph analyze
                s0["a<br/>say #quot;hi#quot;"]
              end
              subgraph execute
                s1["b"]
                s2["c"]
              end
              s1 --> s2
              s0 -.-> s1

            """)
        #expect(g.dot().contains("\"b\" -> \"c\";"))
        #expect(g.dot().contains("\"a\" -> \"b\" [style=dashed];"))
        #expect(g.dot().contains("label=\"a\\nsay \\\"hi\\\"\""))
    }
}
