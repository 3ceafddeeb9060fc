@testable import PlanYAML
import Testing

/// Large inputs are parsed on a second thread (`EventPipeline`): whatever the input, the tree and the
/// diagnostics are those of parsing on one thread, and a composer that stops early leaves no thread behind.
@Suite struct PipelineTests {
    /// Every kind of event, many thousand times: scalars of each style, tags, anchors and aliases, merge keys,
    /// nested sequences and mappings, long and non-ASCII text.
    static func document(items: Int) -> String {
        var text = "base: &base { kind: shared, tags: [a, b] }\nitems:\n"
        for i in 0..<items {
            text += """
                  - id: step-\(i)
                    <<: *base
                    plain: value \(i)
                    single: 'it''s \(i)'
                    double: "tab\\t\(i) é"
                    tagged: !!str \(i)
                    literal: |
                      line one \(i)
                      line two
                    folded: >
                      folded \(i)
                    list: [\(i), \(i + 1), { nested: [x, y] }]
                    ref: &r\(i) [anchored]
                    again: *r\(i)

                """
        }
        return text
    }

    func both(_ bytes: [UInt8], limits: YAMLLimits = .default) -> (YAMLNode?, [Diagnostic], YAMLNode?, [Diagnostic]) {
        let one = YAMLComposer.compose(bytes, file: "big.yaml", limits: limits, pipelined: false)
        let two = YAMLComposer.compose(bytes, file: "big.yaml", limits: limits, pipelined: true)
        return (one.node, one.diagnostics, two.node, two.diagnostics)
    }

    @Test func bothPathsBuildTheSameTree() throws {
        let bytes = Array(Self.document(items: 600).utf8)
        // Large enough that `compose` itself takes the second thread, with more events than the ring holds
        // at once, so batches are reused.
        #expect(bytes.count >= YAMLComposer.pipelineThreshold)
        #expect(600 * 40 > EventPipeline.batchSize * EventPipeline.depth)
        #expect(YAMLComposer.compose(bytes, file: "big.yaml").node == YAMLComposer.compose(
            bytes, file: "big.yaml", limits: .default, pipelined: true).node)
        let (single, singleProblems, piped, pipedProblems) = both(bytes)
        let tree = try #require(piped)
        #expect(singleProblems.isEmpty)
        #expect(pipedProblems.isEmpty)
        #expect(single == tree)
        #expect(tree["items"]?.sequence?.count == 600)
        #expect(tree["items"]?.sequence?.last?["double"]?.scalar == "tab\t599 é")
    }

    @Test func aScalarLargerThanABatchsTextIsCopiedWhole() throws {
        let long = String(repeating: "0123456789", count: 20_000)  // 200 KB, beyond a batch's first buffer
        let bytes = Array("a: \(long)\nb: [\(long), short]\n".utf8)
        let (single, _, piped, problems) = both(bytes)
        #expect(problems.isEmpty)
        #expect(piped == single)
        #expect(piped?["a"]?.scalar == long)
    }

    @Test func aSyntaxErrorFarIntoTheInputIsLocatedTheSame() {
        let text = Self.document(items: 600) + "broken: [unclosed\n"
        let (single, singleProblems, piped, pipedProblems) = both(Array(text.utf8))
        #expect(single == nil)
        #expect(piped == nil)
        #expect(pipedProblems.map(\.id) == [.yamlSyntax])
        #expect(pipedProblems == singleProblems)
    }

    @Test func anEncodingErrorFarIntoTheInputIsLocatedTheSame() {
        var bytes = Array(Self.document(items: 600).utf8)
        bytes += Array("bad: x".utf8) + [0xFF] + Array("y\n".utf8)
        let (_, singleProblems, piped, pipedProblems) = both(bytes)
        #expect(piped == nil)
        #expect(pipedProblems.map(\.id) == [.yamlEncoding])
        #expect(pipedProblems == singleProblems)
    }

    @Test func anEarlyStopEndsTheParserToo() {
        // The composer stops at the first event; the parser has run ahead and must be stopped and joined.
        let text = "first: *nowhere\n" + Self.document(items: 600)
        let (_, singleProblems, piped, pipedProblems) = both(Array(text.utf8))
        #expect(piped == nil)
        #expect(pipedProblems.map(\.id) == [.yamlUnknownAlias])
        #expect(pipedProblems == singleProblems)
    }

    @Test func aSecondDocumentStopsReadingOnBothPaths() {
        let text = Self.document(items: 300) + "---\n" + Self.document(items: 300)
        let (single, singleProblems, piped, pipedProblems) = both(Array(text.utf8))
        #expect(pipedProblems.map(\.id) == [.yamlMultipleDocuments])
        #expect(pipedProblems == singleProblems)
        #expect(piped == single)
        #expect(piped?["items"]?.sequence?.count == 300)
    }

    @Test func limitsHoldOnTheSecondThread() {
        var limits = YAMLLimits()
        limits.maxDepth = 8
        let text = Self.document(items: 600) + "deep: " + String(repeating: "[", count: 20) + String(repeating: "]", count: 20) + "\n"
        let (_, singleProblems, piped, pipedProblems) = both(Array(text.utf8), limits: limits)
        #expect(piped == nil)
        #expect(pipedProblems.map(\.id) == [.yamlTooDeep])
        #expect(pipedProblems == singleProblems)
    }
}
