import Foundation
import PlanEngine
import Testing

/// `for_each:`: items in order with `item` and `item_index`, one record each, captures as lists, `parallel:`.
@Suite(.serialized)
struct ForEachTests {
    let bed = YAMLPlanRun()

    @Test func itemsRunInOrderWithTheirIndexAndCollectCaptures() async throws {
        let result = try await bed.run("""
            planrun: 1
            operations:
              op:
                execute:
                  - id: each
                    for_each: [c, a, b]
                    run: echo ${{ item_index }}-${{ item }} | tee -a DIR/log
                    capture: { out: { stdout: true } }
                validate:
                  - { id: listed, assert: "${{ nodes.local.out == ['0-c', '1-a', '2-b'] }}" }
                  - { id: all_ok, assert: "${{ steps.each.local.ok && len(steps.each.local.items) == 3 }}" }
            """)
        #expect(bed.lines("log") == ["0-c", "1-a", "2-b"])
        #expect(result.records("each").map(\.item) == [.string("c"), .string("a"), .string("b")])
        #expect(result.records("each").allSatisfy { $0.status == .succeeded })
        #expect(result.validationStatus == .success, "\(result.issues)")
        let json = result.json(includeTimes: false).jsonText()
        #expect(json.contains(#""item":"c""#) || json.contains(#""item": "c""#))
    }

    @Test func anExpressionGivesTheItemsPerNode() async throws {
        let result = try await bed.run("""
            planrun: 1
            \(localNodes(2))
            inputs:
              files: { type: list, default: [app.log, worker.log] }
            operations:
              op:
                execute:
                  - id: size
                    target: all
                    for_each: ${{ inputs.files }}
                    run: echo ${{ node.name }}/${{ item }}
                    capture: { path: { stdout: true } }
            output:
              paths: ${{ nodes.*.path }}
            """)
        #expect(result.output["paths"] == .array([
            .array([.string("n1/app.log"), .string("n1/worker.log")]),
            .array([.string("n2/app.log"), .string("n2/worker.log")]),
        ]))
        #expect(result.summary == ["size [n1] succeeded", "size [n1] succeeded", "size [n2] succeeded", "size [n2] succeeded"])
    }

    @Test func aFailedItemStopsTheLaterOnes() async throws {
        let result = try await bed.run("""
            planrun: 1
            operations:
              op:
                execute:
                  - { id: each, for_each: [1, 2, 3], run: "test ${{ item }} -ne 2" }
                  - { id: after, run: "true" }
            """)
        #expect(result.records("each").map(\.status) == [.succeeded, .failed, .notRun])
        #expect(result.records("each").last?.reason == "not run: item 1 failed")
        #expect(result.records("after").map(\.status) == [.notRun])
        #expect(result.validationStatus == .failed)
    }

    @Test func parallelItemsRunTogetherWithinMaxParallel() async throws {
        let result = try await bed.run("""
            planrun: 1
            policy: { max_parallel: 2 }
            operations:
              op:
                execute:
                  - id: each
                    for_each: [1, 2, 3, 4]
                    parallel: true
                    run: echo s >> DIR/log; sleep 0.3; echo e >> DIR/log
            """)
        #expect(result.records("each").count == 4)
        var inFlight = 0
        var most = 0
        for line in bed.lines("log") {
            inFlight += line == "s" ? 1 : -1
            most = max(most, inFlight)
        }
        #expect(most == 2)
        #expect(result.records("each").map(\.item) == [.int(1), .int(2), .int(3), .int(4)])
    }

    @Test func aDryRunShowsEveryItemsCommand() async throws {
        let result = try await bed.run("""
            planrun: 1
            inputs:
              services: { type: list, default: [api, worker] }
            operations:
              op:
                execute:
                  - { id: restart, for_each: "${{ inputs.services }}", run: "systemctl restart ${{ item }}" }
                  - { id: list, run: "ls", capture: { names: { lines: true } } }
                  - { id: later, for_each: "${{ nodes.local.names }}", run: "echo ${{ item }}" }
            """, dryRun: true)
        #expect(result.records("restart").map(\.command) == ["systemctl restart api", "systemctl restart worker"])
        #expect(result.records("restart").map(\.item) == [.string("api"), .string("worker")])
        #expect(result.records("later").first?.reason == "items decided at run time: ${{ nodes.local.names }}")
        let text = ResultText.render(result)
        #expect(text.contains(#"restart [local] item "api": systemctl restart api"#), "\(text)")
    }

    @Test func aValueThatIsNoListFailsTheStep() async throws {
        let result = try await bed.run("""
            planrun: 1
            operations:
              op:
                execute:
                  - { id: each, for_each: "${{ 'text' }}", run: "true" }
            """)
        #expect(result.records("each").map(\.status) == [.failed])
        #expect(result.issues.first?.message == "for_each: for_each needs a list, found string")
    }
}
