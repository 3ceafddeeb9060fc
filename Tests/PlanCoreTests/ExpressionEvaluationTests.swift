import PlanCore
import PlanYAML
import Testing

@Suite struct ExpressionEvaluationTests {
    /// Expression text and its value in `ExpressionTestScope`, written as JSON.
    @Test(arguments: [
        // Literals
        ("1", "1"), ("-7", "-7"), ("2.5", "2.5"), ("1e3", "1000.0"), ("'single'", #""single""#),
        (#""double\n\"q\"\\""#, #""double\n\"q\"\\""#), ("'it''s'", #""it's""#), (#""\u00e9""#, #""é""#),
        ("true", "true"), ("false", "false"), ("null", "null"), ("[1, 'a', [true]]", #"[1,"a",[true]]"#),
        ("[]", "[]"), ("[1, 2,]", "[1,2]"),
        // Paths
        ("inputs.timeout", "60"), ("inputs.target_node", #""all""#), ("nodes.genesis.block_height", "100"),
        ("nodes.*.block_height", "[100,100,99.0]"), ("nodes.*.version", #"["1.2"]"#),
        ("nodes.web-1.online", "false"), ("nodes['web-1'].block_height", "99.0"),
        ("inputs['key-with-dash']", "7"), ("steps.reach.genesis.ok", "true"), ("steps.reach.follower.exit_code", "3"),
        ("steps.*.*.ok", "[true,false,true]"), ("steps.reach.*.exit_code", "[0,3]"),
        ("node.name", #""genesis""#), ("node.vars.cli", #""/opt/aitbc/aitbc-cli""#), ("vars.retries", "3"),
        ("inputs.names.0", #""b""#), ("inputs.names[3]", #""c""#), ("vars.nested.a.0.b", #""deep""#),
        ("inputs.nothing", "null"), ("node", #"{"name":"genesis","vars":{"cli":"/opt/aitbc/aitbc-cli"}}"#),
        ("inputs.list.*", "[1,2.0,3]"),
        // Arithmetic and strings
        ("1 + 2", "3"), ("1 + 2.5", "3.5"), ("10 - 4 - 3", "3"), ("-inputs.timeout", "-60"), ("- -3", "3"),
        ("'a' + 'b'", #""ab""#), ("inputs.timeout - 0.5", "59.5"), ("1 + 2 == 3", "true"),
        // Comparison
        ("1 < 2", "true"), ("2 <= 2", "true"), ("3 > 4", "false"), ("3 >= 3.0", "true"), ("'a' < 'b'", "true"),
        ("'b' >= 'ab'", "true"), ("1 == 1.0", "true"), ("1 != 1.0", "false"), ("[1, 2] == [1.0, 2]", "true"),
        ("'1' == 1", "false"), ("null == null", "true"), ("nodes.genesis == nodes.genesis", "true"),
        ("nodes.genesis.block_height == nodes.follower.block_height", "true"),
        // in
        ("'a' in inputs.names", "true"), ("'z' in inputs.names", "false"), ("2 in inputs.list", "true"),
        ("'rm' in inputs.message", "true"), ("'' in 'abc'", "true"), ("'genesis' in nodes", "true"),
        ("'nope' in nodes", "false"),
        // Logic
        ("true && false", "false"), ("true || false", "true"), ("!true", "false"), ("!inputs.empty", "true"),
        ("1 && 'x'", "true"), ("0 || ''", "false"), ("!!inputs.names", "true"),
        ("inputs.force || inputs.verify && false", "false"), ("(inputs.force || inputs.verify) && true", "true"),
        ("false && inputs.undefined_input", "false"), ("true || nodes.nope.x", "true"),
        ("!(1 in [2, 3])", "true"), ("1 < 2 == 2 < 3", "true"),
        // Functions
        ("len(inputs.names)", "4"), ("len('héllo')", "5"), ("len(nodes)", "3"),
        ("unique(inputs.names)", #"["b","a","c"]"#), ("unique([1, 1.0, 2])", "[1,2]"),
        ("unique([[1], [1.0], [2], [1, 2], [[1]], [[1.0]]])", "[[1],[2],[1,2],[[1]]]"),
        ("unique([node, node, nodes.genesis, nodes.genesis])", #"[{"name":"genesis","vars":{"cli":"/opt/aitbc/aitbc-cli"}},{"block_height":100,"version":"1.2","online":true}]"#),
        ("len(unique(nodes.*.block_height)) == 1", "false"), ("len(unique(nodes.*.online))", "2"),
        ("min(inputs.list)", "1"), ("max(inputs.list)", "3"), ("min(3, 1, 2)", "1"), ("max('a', 'c', 'b')", #""c""#),
        ("max(nodes.*.block_height)", "100"), ("min(5)", "5"),
        ("all(nodes.*.online)", "false"), ("any(nodes.*.online)", "true"), ("all([])", "true"), ("any([])", "false"),
        ("all(steps.height.*.ok)", "true"),
        ("contains(inputs.names, 'c')", "true"), ("contains('abc', 'bc')", "true"), ("contains(nodes, 'web-1')", "true"),
        ("trim(steps.reach.genesis.stdout)", #""active""#), ("trim('  ')", #""""#),
        ("int(inputs.count)", "42"), ("int('-5')", "-5"), ("int(3.9)", "3"), ("int(-3.9)", "-3"), ("int(true)", "1"),
        ("int(7)", "7"), ("int(steps.height.genesis.stdout) + 1", "101"),
        ("float('2.5')", "2.5"), ("float(2)", "2.0"), ("string(5)", #""5""#), ("string([1,'a'])", #""[1,\"a\"]""#),
        ("default(inputs.missing, 'fallback')", #""fallback""#), ("default(inputs.nothing, 3)", "3"),
        ("default(inputs.timeout, 3)", "60"), ("default(nodes.nope.x, 0)", "0"),
        ("join(inputs.names, ' ')", #""b a b c""#), ("join([1, 'x'])", #""1,x""#), ("keys(node)", #"["name","vars"]"#),
    ] as [(String, String)])
    func evaluates(_ source: String, _ expected: String) throws {
        let (template, diagnostics) = ExpressionTestScope.parse("${{ \(source) }}")
        #expect(diagnostics.isEmpty, "\(diagnostics.map(\.summary))")
        let value = try template.evaluate(in: ExpressionTestScope.scope)
        #expect(value == ExpressionTestScope.value(expected), "\(source) gave \(value.jsonText())")
    }

    /// An interrupt or the deadline cancels the step's task: evaluation stops at the next function call.
    @Test func aCancelledTaskStopsEvaluation() async throws {
        let (template, _) = ExpressionTestScope.parse("${{ len(unique(inputs.names)) }}")
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try template.evaluate(in: ExpressionTestScope.scope)
        }
        await #expect(throws: EvaluationError.self) { try await task.value }
        #expect(try template.evaluate(in: ExpressionTestScope.scope) == .int(3))
    }

    /// Expressions that parse but cannot be evaluated in the scope: the message and the column it points at
    /// (the template starts at column 1, so `${{ ` puts the expression's first character at column 5).
    @Test(arguments: [
        ("inputs.foo", "'inputs.foo' is not defined", 5),
        ("inputs.tmeout", "'inputs.tmeout' is not defined; did you mean 'inputs.timeout'?", 5),
        ("nodes.genesis.heigth", "'nodes.genesis.heigth' is not defined: 'nodes.genesis' has no key 'heigth'", 5),
        ("nodes.genesis.onlin", "'nodes.genesis.onlin' is not defined; did you mean 'nodes.genesis.online'?", 5),
        ("nodes.genesis.x", "'nodes.genesis.x' is not defined: 'nodes.genesis' has no key 'x'", 5),
        ("nodes.nope.block_height", "'nodes.nope.block_height' is not defined: 'nodes' has no key 'nope'", 5),
        ("inputs.names.9", "'inputs.names.9' is not defined: 'inputs.names' has 4 elements", 5),
        ("inputs.timeout.x", "'inputs.timeout.x' is not defined: 'inputs.timeout' is an int", 5),
        ("inputs.names.first", "'inputs.names.first' is not defined: 'inputs.names' is a list, indexed by number", 5),
        ("1 + inputs.nope", "'inputs.nope' is not defined", 9),
        ("1 + 'a'", "cannot add int 1 and string \"a\"; '+' takes two numbers or two strings", 5),
        ("'a' - 1", "cannot subtract int 1 from string \"a\"; '-' takes two numbers", 5),
        ("-'a'", "cannot negate string \"a\"", 5),
        ("1 < 'a'", "cannot compare int 1 with string \"a\" using '<'", 5),
        ("[1] < [2]", "cannot compare a list with a list using '<'", 5),
        ("1 in 5", "cannot look for a value in int 5; 'in' takes a list, a string or an object", 5),
        ("1 in 'abc'", "cannot look for int 1 in string \"abc\"; it takes a string", 5),
        ("9223372036854775807 + 1", "integer overflow in '+'", 5),
        ("len(5)", "'len' takes a string, a list or an object, got int 5", 5),
        ("unique('ab')", "'unique' takes a list, got string \"ab\"", 5),
        ("min([])", "'min' of an empty list", 5),
        ("max(1, 'a')", "'max' cannot compare string \"a\" with int 1", 5),
        ("all(1)", "'all' takes a list, got int 1", 5),
        ("trim(1)", "'trim' takes a string, got int 1", 5),
        ("int('4x')", "cannot convert string \"4x\" to int", 5),
        ("int('3.5')", "cannot convert string \"3.5\" to int", 5),
        ("int(null)", "cannot convert null to int", 5),
        ("float('abc')", "cannot convert string \"abc\" to float", 5),
        ("default(1 + 'a', 2)", "cannot add int 1 and string \"a\"; '+' takes two numbers or two strings", 13),
        ("keys([])", "'keys' takes an object, got a list", 5),
    ] as [(String, String, Int)])
    func failsToEvaluate(_ source: String, _ message: String, _ column: Int) {
        let (template, diagnostics) = ExpressionTestScope.parse("${{ \(source) }}")
        #expect(diagnostics.isEmpty, "\(diagnostics.map(\.summary))")
        #expect(throws: EvaluationError.self) { try template.evaluate(in: ExpressionTestScope.scope) }
        do {
            _ = try template.evaluate(in: ExpressionTestScope.scope)
        } catch {
            #expect(error.message == message)
            #expect(error.range.start == PlanYAML.SourceLocation(line: 1, column: column))
        }
    }

    @Test func missingScopeRootIsNotDefined() {
        let (template, _) = ExpressionTestScope.parse("${{ steps.reach.genesis.ok }}")
        #expect(throws: EvaluationError("'steps.reach.genesis.ok' is not defined", at: SourceRange(
            start: PlanYAML.SourceLocation(line: 1, column: 5), end: PlanYAML.SourceLocation(line: 1, column: 27)))) {
            try template.evaluate(in: Value.Object([("inputs", .object(Value.Object()))]))
        }
    }

    @Test func andOrShortCircuitWithoutEvaluatingTheOtherSide() throws {
        // The right side would fail; short-circuit never reaches it.
        let (template, _) = ExpressionTestScope.parse("${{ inputs.force && int('x') || inputs.verify || 1 + 'a' }}")
        #expect(try template.evaluate(in: ExpressionTestScope.scope) == .bool(true))
    }

    @Test func starSkipsValuesWithoutTheKeyAndNonObjects() throws {
        let scope = Value.Object([("vars", ExpressionTestScope.value(#"{"m": {"a": {"x": 1}, "b": 5, "c": {"y": 2}, "d": {"x": 3}}}"#))])
        let (template, _) = ExpressionTestScope.parse("${{ vars.m.*.x }}")
        #expect(try template.evaluate(in: scope) == ExpressionTestScope.value("[1, 3]"))
    }

    @Test func starOverAScalarIsNotDefined() {
        let (template, _) = ExpressionTestScope.parse("${{ inputs.timeout.* }}")
        #expect(throws: EvaluationError.self) { try template.evaluate(in: ExpressionTestScope.scope) }
    }
}
