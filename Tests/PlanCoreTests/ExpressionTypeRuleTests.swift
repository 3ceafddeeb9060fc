import PlanCore
import PlanTestSupport
import Testing

/// Type errors `validate` can see before the run: literals of the wrong type, declared inputs, function
/// results; reads of a value the same `set` step makes; `output:` keys that the engine's keys would hide.
@Suite struct ExpressionTypeRuleTests {
    /// A plan with `expression` in an assert, typed inputs `n` (int), `s` (string), `maybe` (optional string).
    static func plan(_ expression: String) -> String {
        """
        planrun: 1
        inputs:
          n: { type: int, default: 1 }
          s: { type: string, default: x }
          maybe: { type: string }
          d: { type: duration, default: 5s }
        operations:
          op:
            validate:
              - id: check
                assert: ${{ \(expression) }}
        """
    }

    @Test(arguments: [
        ("len(5)", "'len' takes a string, a list or an object, got int 5", 25),
        ("trim(inputs.n)", "'trim' takes a string, got an int ('inputs.n')", 26),
        ("split(inputs.s, 1) == []", "argument 2 of 'split' takes a string, got int 1", 37),
        ("'a' - 1 == 0", "'-' takes a number, got string \"a\"", 21),
        ("1 + 'a' == 2", "cannot add an int and a string; '+' takes two numbers or two strings", 21),
        ("len(inputs.s) < 'x'", "cannot compare an int with a string using '<'", 21),
        ("1 in 5", "the right side of 'in' takes a string, a list or an object, got int 5", 26),
        ("matches(inputs.s, 'a(')", "'a(' is not a valid regular expression", 39),
        ("upper(len(inputs.s)) == 'X'", "'upper' takes a string, got an int", 27),
        ("keys(sort([1]))", "'keys' takes an object, got a list", 26),
        ("max_by([1], 2)", "argument 2 of 'max_by' takes a string, got int 2", 33),
        ("vars.a[1.5] == 1", "an index takes an int or a string, got float 1.5", 28),
        ("-'a' < 0", "'-' takes a number, got string \"a\"", 22),
        ("inputs.d + 's' == 1", "cannot add a number and a string; '+' takes two numbers or two strings", 21),
    ] as [(String, String, Int)])
    func typeErrorsAreFoundByValidate(_ expression: String, _ message: String, _ column: Int) {
        let errors = diagnose(Self.plan(expression)).diagnostics.filter { $0.severity == .error }
        #expect(errors.count == 1, "\(errors.map(\.summary))")
        #expect(errors.first?.message.hasPrefix(message) == true, "\(errors.map(\.summary))")
        #expect(errors.first?.range.start == PlanYAML.SourceLocation(line: 11, column: column))
        #expect([DiagnosticID.exprType, .planInvalidRegex].contains { $0 == errors.first?.id })
    }

    @Test(arguments: [
        "len(inputs.s) == 1", "trim(inputs.maybe) == ''", "default(inputs.maybe, 'x') + 'y' == 'xy'",
        "len(vars.a.b) > 1", "inputs.d + 1 > 2", "int(inputs.s) + 1 == 2", "upper(string(inputs.n)) == '1'",
        "count(split(inputs.s, ','), 'x') >= 0", "matches(inputs.s, '^x\\\\d*$')", "steps.check[inputs.s] == 1",
        "if(true, 1, 'a') == 1", "min(1, 2) + 1 == 2", "'a' + inputs.s == 'ax'",
    ])
    func wellTypedExpressionsAreQuiet(_ expression: String) {
        let errors = diagnose(Self.plan(expression)).diagnostics.filter { $0.severity == .error }
        #expect(errors.isEmpty, "\(errors.map(\.summary))")
    }

    @Test func aSetValueReadingAnotherValueOfTheSameStepIsAnError() {
        let source = MarkedSource("""
            planrun: 1
            inventory: { nodes: { a: { transport: local } } }
            operations:
              op:
                execute:
                  - id: totals
                    set:
                      count: ${{ vars.count + 1 }}
                      total: 3
                      share: ${{ 1️⃣vars.total - 1 }}
                  - id: per_node
                    target: a
                    set:
                      used: 5
                      free: ${{ 100 - 2️⃣node.used }}
                      again: ${{ 3️⃣nodes.a.used }}
            """)
        let errors = diagnose(source.text).diagnostics.filter { $0.id == .planSetReadsItself }
        #expect(errors.map { "\($0.id)@\($0.range.start)" } == [
            "plan.set-reads-itself@\(source["1️⃣"])", "plan.set-reads-itself@\(source["2️⃣"])",
            "plan.set-reads-itself@\(source["3️⃣"])",
        ])
        #expect(errors.first?.message == "'share' reads 'vars.total', which this same set step makes; values of one step see only what earlier steps made: move 'share' to a later step")
    }

    @Test(arguments: ["steps", "validation_status", "confidence", "operation", "issues", "dry_run"])
    func anOutputKeyOfTheEngineIsAnError(_ key: String) {
        let source = MarkedSource("""
            planrun: 1
            operations: { op: { execute: [{ id: a, run: "true" }] } }
            output:
              summary: ok
              1️⃣\(key): 1
            """)
        let errors = diagnose(source.text).diagnostics.filter { $0.severity == .error }
        #expect(errors.map { "\($0.id)@\($0.range.start)" } == ["plan.output-key@\(source["1️⃣"])"])
        #expect(errors.first?.fixIt == "plan_\(key)")
    }
}
