import PlanCore
import PlanTestSupport
import Testing

/// One fixture: plan text with markers, and the error each marker must carry (`1️⃣` → first id, …).
struct MarkedFixture: CustomTestStringConvertible, Sendable {
    var name: String
    var text: String
    var ids: [DiagnosticID]
    var testDescription: String { name }
}

/// Every diagnostic points at the offending node: each fixture's errors are exactly the marked ones.
@Suite struct DecoderFixtureTests {
    static let fixtures: [MarkedFixture] = [
        MarkedFixture(name: "typo key", text: """
            planrun: 1
            operations:
              op:
                execute:
                  - id: a
                    run: echo hi
                    1️⃣timout: 10s
            """, ids: [.planUnknownKey]),
        MarkedFixture(name: "unknown needs", text: """
            planrun: 1
            operations:
              op:
                execute:
                  - id: build
                    run: make
                  - id: test
                    needs: [1️⃣bulid]
                    run: make test
            """, ids: [.planUnknownNeeds]),
        MarkedFixture(name: "cycle", text: """
            planrun: 1
            operations:
              op:
                execute:
                  - id: a
                    needs: [1️⃣b]
                    run: echo a
                  - id: b
                    needs: [a]
                    run: echo b
            """, ids: [.planCycle]),
        MarkedFixture(name: "timeout above max", text: """
            planrun: 1
            policy: { max_timeout: 60s }
            operations:
              op:
                execute:
                  - id: a
                    run: sleep 100
                    timeout: 1️⃣2m
            """, ids: [.planTimeoutAboveMax]),
        MarkedFixture(name: "invalid regular expressions", text: """
            planrun: 1
            operations:
              op:
                execute:
                  - id: a
                    run: echo hi
                    capture:
                      v: { regex: 1️⃣"h(i" }
                    errors:
                      - match: 2️⃣"[oops"
                        kind: command
                      - match: '^fine (\\d+)$'
                        kind: command
            """, ids: [.planInvalidRegex, .planInvalidRegex]),
        MarkedFixture(name: "duplicate id", text: """
            planrun: 1
            operations:
              op:
                execute:
                  - id: a
                    run: echo 1
                  - id: 1️⃣a
                    run: echo 2
            """, ids: [.planDuplicateID]),
        MarkedFixture(name: "duplicate id in a fallback", text: """
            planrun: 1
            operations:
              op:
                execute:
                  - id: a
                    run: echo 1
                    fallback:
                      - { id: 1️⃣a, run: echo 2 }
            """, ids: [.planDuplicateID]),
        MarkedFixture(name: "duplicate key", text: """
            planrun: 1
            operations:
              op:
                execute:
                  - id: a
                    run: echo 1
                    1️⃣run: echo 2
            """, ids: [.yamlDuplicateKey]),
        MarkedFixture(name: "malformed expression", text: """
            planrun: 1
            operations:
              op:
                execute:
                  - id: a
                    run: echo ${{ inputs.x + 1️⃣}}
            """, ids: [.exprSyntax]),
        MarkedFixture(name: "undefined input", text: """
            planrun: 1
            inputs:
              message: { type: string, default: hi }
            operations:
              op:
                execute:
                  - id: a
                    run: echo ${{ 1️⃣inputs.mesage }}
            """, ids: [.planUndefinedInput]),
        MarkedFixture(name: "unknown node", text: """
            planrun: 1
            inventory:
              nodes:
                genesis: { transport: local }
                follower: { transport: ssh, host: aitbc1 }
              groups:
                all: [genesis, 1️⃣folower]
            operations:
              op:
                execute:
                  - id: a
                    target: 2️⃣genesys
                    run: echo
                    fallback_node: 3️⃣genisis
            """, ids: [.planUnknownNode, .planUnknownNode, .planUnknownNode]),
        MarkedFixture(name: "bad version", text: """
            planrun: 1️⃣2
            operations:
              op:
                execute:
                  - { id: a, run: echo }
            """, ids: [.planVersion]),
        MarkedFixture(name: "missing version", text: """
            1️⃣operations:
              op:
                execute:
                  - { id: a, run: echo }
            """, ids: [.planVersion]),
        MarkedFixture(name: "capture never made", text: """
            planrun: 1
            operations:
              op:
                execute:
                  - id: height
                    run: cli height
                    capture: { height: { stdout: true, as: int } }
                validate:
                  - id: same
                    assert: ${{ len(unique(1️⃣nodes.*.heigth)) == 1 }}
            """, ids: [.planUnknownCapture]),
        MarkedFixture(name: "capture made by a later step", text: """
            planrun: 1
            operations:
              op:
                execute:
                  - id: early
                    run: echo ${{ 1️⃣nodes.*.height }}
                  - id: late
                    run: cli height
                    capture: { height: { stdout: true } }
            """, ids: [.planUnknownCapture]),
        MarkedFixture(name: "capture by a parallel sibling", text: """
            planrun: 1
            operations:
              op:
                execute:
                  - id: one
                    needs: []
                    run: cli height
                    capture: { height: { stdout: true } }
                  - id: two
                    needs: []
                    run: echo ${{ 1️⃣nodes.genesis.height }}
            """, ids: [.planUnknownCapture]),
        MarkedFixture(name: "yaml syntax error", text: """
            planrun: 1
            operations: [a, b
            name1️⃣: x
            """, ids: [.yamlSyntax]),
        MarkedFixture(name: "wrong type", text: """
            planrun: 1
            operations:
              op:
                execute:
                  - id: a
                    run: sleep 1
                    timeout: 1️⃣ten
                    retries: 2️⃣two
                    destructive: 3️⃣yes
                    on_error: 4️⃣contnue
            """, ids: [.planType, .planType, .planType, .planType]),
        MarkedFixture(name: "two actions and none", text: """
            planrun: 1
            operations:
              op:
                execute:
                  - id: a
                    run: echo
                    1️⃣assert: ${{ true }}
                  - id: 2️⃣b
                    name: nothing
            """, ids: [.planStepAction, .planStepAction]),
        MarkedFixture(name: "needs a later phase", text: """
            planrun: 1
            operations:
              op:
                analyze:
                  - id: a
                    needs: [1️⃣b]
                    run: echo
                execute:
                  - id: b
                    run: echo
            """, ids: [.planNeedsLaterPhase]),
        MarkedFixture(name: "empty operation and unknown phase", text: """
            planrun: 1
            operations:
              1️⃣idle: {}
              3️⃣op:
                2️⃣exec:
                  - { id: a, run: echo }
            """, ids: [.planEmptyOperation, .planUnknownKey, .planEmptyOperation]),
        MarkedFixture(name: "max_parallel below one", text: """
            planrun: 1
            policy: { max_parallel: 1️⃣0 }
            operations:
              op:
                execute:
                  - { id: a, run: echo }
            """, ids: [.planMaxParallel]),
        MarkedFixture(name: "max_connecting below one", text: """
            planrun: 1
            policy: { max_connecting: 1️⃣0 }
            operations:
              op:
                execute:
                  - { id: a, run: echo }
            """, ids: [.planMaxConnecting]),
        MarkedFixture(name: "max_connecting misspelt", text: """
            planrun: 1
            policy: { 1️⃣max_connections: 4 }
            operations:
              op:
                execute:
                  - { id: a, run: echo }
            """, ids: [.planUnknownKey]),
        MarkedFixture(name: "missing target with two nodes", text: """
            planrun: 1
            inventory:
              nodes: { a: {}, b: {} }
            operations:
              op:
                execute:
                  - id: 1️⃣x
                    run: echo
            """, ids: [.planMissingTarget]),
        MarkedFixture(name: "unknown step in steps path", text: """
            planrun: 1
            operations:
              op:
                execute:
                  - id: a
                    run: echo
                validate:
                  - id: ok
                    assert: ${{ 1️⃣steps.b.local.ok }}
            """, ids: [.planUnknownStep]),
        MarkedFixture(name: "bad input default", text: """
            planrun: 1
            inputs:
              mode: { type: string, default: 1️⃣fast, enum: [slow, safe] }
              count: { type: int, default: 2️⃣50, max: 10 }
            operations:
              op:
                execute:
                  - { id: a, run: echo }
            """, ids: [.planInputDefault, .planInputDefault]),
    ]

    @Test(arguments: fixtures)
    func diagnosticPointsAtTheMarker(_ fixture: MarkedFixture) {
        let source = MarkedSource(fixture.text)
        let (_, diagnostics) = diagnose(source.text)
        let markers = MarkedSource.markers.filter { source.locations[$0] != nil }
        let expected = zip(fixture.ids, markers).map { "\($0.0)@\(source[$0.1])" }
        #expect(errorPlaces(diagnostics).sorted() == expected.sorted(), "\(diagnostics.map(\.summary))")
    }
}
