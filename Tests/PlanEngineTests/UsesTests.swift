import Foundation
import PlanEngine
import Testing

/// `uses:` at run time: the step file's steps run as a group under the using id, with its inputs from `with:`.
@Suite(.serialized)
struct UsesTests {
    let bed = YAMLPlanRun()

    init() throws {
        try FileManager.default.createDirectory(atPath: bed.directory + "/lib", withIntermediateDirectories: true)
        try bed.write("lib/check.yaml", """
            planrun: 1
            kind: steps
            inputs:
              word: { type: string, default: hello }
              times: { type: int, default: 1 }
            steps:
              - { id: say, run: "echo ${{ inputs.word }}-${{ inputs.times }}-${{ node.name }} >> DIR/log", capture: { said: { stdout: true } } }
              - { id: saw, assert: "${{ steps.say[node.name].ok }}" }
            """)
    }

    @Test func aStepFileRunsPerNodeWithItsInputs() async throws {
        let result = try await bed.run("""
            planrun: 1
            \(localNodes(2))
            operations:
              op:
                execute:
                  - { id: first, target: all, uses: lib/check.yaml, with: { word: "${{ node.name }}x", times: 2 } }
                  - { id: second, target: n1, uses: lib/check.yaml }
            """)
        #expect(Set(bed.lines("log")) == ["n1x-2-n1", "n2x-2-n2", "hello-1-n1"])
        #expect(result.summary == [
            "first.say [n1] succeeded", "first.say [n2] succeeded", "first.saw [n1] succeeded", "first.saw [n2] succeeded",
            "second.say [n1] succeeded", "second.saw [n1] succeeded",
        ])
        #expect(result.validationStatus == .success, "\(result.issues)")
    }

    @Test func aWithValueOfTheWrongTypeFailsTheStepWhenItRuns() async throws {
        let result = try await bed.run("""
            planrun: 1
            operations:
              op:
                execute:
                  - { id: check, uses: lib/check.yaml, target: local, with: { times: "${{ 'many' }}" } }
            """)
        #expect(result.summary == ["check.say [local] failed", "check.saw [local] failed"])
        #expect(result.issues.first?.message == "with: input 'times' of step file 'lib/check.yaml' expects an integer, found 'many'")
        #expect(bed.lines("log").isEmpty)
    }

    @Test func aDryRunShowsTheIncludedSteps() async throws {
        let result = try await bed.run("""
            planrun: 1
            operations:
              op:
                execute:
                  - { id: check, uses: lib/check.yaml, with: { word: hi } }
            """, dryRun: true)
        #expect(result.records("check.say").first?.command == "echo hi-1-local >> \(bed.directory)/log")
        #expect(result.records("check.saw").first?.status == .planned)
    }
}
