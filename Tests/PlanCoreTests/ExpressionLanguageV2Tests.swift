import PlanCore
import PlanYAML
import Testing

/// The functions and the index by expression that plan language v2 adds: the fleet questions ("which node
/// has the most disk used", "how many failed") in one expression, and type errors found by `validate`.
@Suite struct ExpressionLanguageV2Tests {
    static let fleet: Value.Object = {
        let json = """
            {
              "inputs": { "service": "web", "names": ["b", "a", "c", "a"], "log": "a=1\\nb=2\\n\\nc=3" },
              "nodes": {
                "web1": { "disk": 40, "status": "online", "role": "web" },
                "web2": { "disk": 91.5, "status": "offline", "role": "web" },
                "db1": { "disk": 91.5, "status": "online", "role": "db" },
                "bare": { "status": "online" }
              },
              "steps": {
                "restart": {
                  "web1": { "ok": true, "exit_code": 0 },
                  "web2": { "ok": false, "exit_code": 3 }
                }
              },
              "node": { "name": "web2" },
              "vars": { "order": ["web2", "web1"], "pick": 1, "weird": { "*": "star" } }
            }
            """
        guard case .object(let object) = try! Value.parseJSON(json) else { fatalError("scope is an object") }
        return object
    }()

    @Test(arguments: [
        ("count(nodes.*.status, 'online')", "3"), ("count([1, 1.0, 2], 1)", "2"), ("count([], 'x')", "0"),
        ("count(nodes.web1, 'web')", "1"),
        ("select(nodes, 'status', 'online')", #"["web1","db1","bare"]"#),
        ("select(nodes, 'role', 'db')", #"["db1"]"#), ("select(nodes, 'role', 'none')", "[]"),
        ("select(vars.order, 'a', 1)", "[]"), ("max_by(nodes, 'status')", #""web1""#),
        ("max_by(nodes, 'disk')", #""web2""#), ("min_by(nodes, 'disk')", #""web1""#),
        ("values(steps.restart.*.exit_code)", "null"),
        ("values(nodes.web1)", #"[40,"online","web"]"#),
        ("sort(inputs.names)", #"["a","a","b","c"]"#), ("sort([3, 1.5, 2])", "[1.5,2,3]"), ("sort([])", "[]"),
        ("split('a,,b', ',')", #"["a","","b"]"#), ("split('', ',')", #"[""]"#),
        ("len(split(inputs.log, '\n'))", "4"),
        ("replace('a-b-c', '-', '+')", #""a+b+c""#), ("replace('aaa', 'aa', 'b')", #""ba""#),
        ("lower('MiXeD')", #""mixed""#), ("upper('MiXeD')", #""MIXED""#),
        ("matches('height=42', 'height=(\\d+)')", "true"), ("matches('height=x', '^height=\\d+$')", "false"),
        ("matches(lower('ERROR: x'), '^error')", "true"),
        // Index by expression
        ("steps.restart[node.name].exit_code", "3"), ("steps.restart[node.name].ok", "false"),
        ("nodes[max_by(nodes, 'disk')].role", #""web""#), ("nodes[vars.order[0]].disk", "91.5"),
        ("vars.order[vars.pick]", #""web1""#), ("vars.weird[string('*')]", #""star""#),
        ("default(steps.restart[vars.order[1]].exit_code, -1)", "0"),
        ("default(steps.restart['db1'].exit_code, -1)", "-1"), ("default(nodes[node.name + 'x'].disk, 0)", "0"),
        ("len(select(nodes, 'status', 'offline')) == 1", "true"),
    ] as [(String, String)])
    func evaluates(_ source: String, _ expected: String) throws {
        let (template, diagnostics) = Template.parse("${{ \(source) }}", at: SourceRange(line: 1, column: 1))
        #expect(diagnostics.isEmpty, "\(diagnostics.map(\.summary))")
        if expected == "null" {
            // `values` of a list is a type error at run time.
            #expect(throws: EvaluationError.self) { try template.evaluate(in: Self.fleet) }
            return
        }
        let value = try template.evaluate(in: Self.fleet)
        #expect(value == (try Value.parseJSON(expected)), "\(source) gave \(value.jsonText())")
    }

    @Test(arguments: [
        ("nodes[node.name + 'x'].disk", "'nodes.web2x' is not defined; did you mean 'nodes.web2'?", 5),
        ("steps.restart[vars.pick].ok", "'steps.restart.1' is not defined: 'steps.restart' has no key '1'", 5),
        ("vars.order[5]", "'vars.order.5' is not defined: 'vars.order' has 2 elements", 5),
        ("vars.order[vars.pick + 4]", "'vars.order.5' is not defined: 'vars.order' has 2 elements", 5),
        ("nodes[vars.order]", "an index takes an int or a string, got a list", 11),
        ("max_by(nodes, 'nope')", "'max_by': no entry has the key 'nope'", 5),
        ("sort([1, 'a'])", "'sort' takes a list of numbers or of strings; cannot compare string \"a\" with int 1", 5),
        ("split('a', '')", "'split' takes a separator that is not empty", 5),
        ("matches('a', '(')", "'matches': invalid regular expression '('", 5),
        ("lower(1)", "'lower' takes a string, got int 1", 5),
        ("split('a', 1)", "'split' takes a string as argument 2, got int 1", 5),
    ] as [(String, String, Int)])
    func failsToEvaluate(_ source: String, _ message: String, _ column: Int) {
        let (template, _) = Template.parse("${{ \(source) }}", at: SourceRange(line: 1, column: 1))
        do {
            let value = try template.evaluate(in: Self.fleet)
            Issue.record("\(source) gave \(value.jsonText())")
        } catch {
            #expect(error.message.hasPrefix(message), "\(error.message)")
            #expect(error.range.start == SourceLocation(line: 1, column: column))
        }
    }

    @Test func anIndexByExpressionReadsTheChainAndItsKey() {
        let (template, _) = Template.parse("${{ steps.restart[node.name].ok }}", at: SourceRange(line: 1, column: 1))
        #expect(template.references.map { $0.path.joined(separator: ".") } == ["steps.restart.*.ok", "node.name"])
    }

    @Test func aStarAfterAnIndexByExpressionIsASyntaxError() {
        let (_, diagnostics) = Template.parse("${{ nodes[node.name].* }}", at: SourceRange(line: 1, column: 1))
        #expect(diagnostics.map(\.id) == [.exprSyntax])
    }

    @Test func newFunctionsCheckTheirArgumentCount() {
        let (_, diagnostics) = Template.parse("${{ select(nodes, 'a') }}", at: SourceRange(line: 1, column: 1))
        #expect(diagnostics.map { "\($0.id)@\($0.range.start): \($0.message)" } == [
            "expr.arguments@1:5: 'select' takes 3 arguments, got 2",
        ])
    }
}
