import PlanYAML

extension Expression {
    /// The names a path may start with; any other is an `expr.unknown-name` error at parse time, so that
    /// `input.x` is caught by `planrun validate` with a did-you-mean.
    /// `run` (issues, validation_status, confidence, …) is set only while `output:` is rendered.
    /// `item` and `item_index` are set inside `for_each:` loops.
    public static let scopeNames = ["inputs", "nodes", "steps", "node", "vars", "run", "item", "item_index"]

    /// Deepest nesting of parentheses, lists, calls and operators accepted in one expression; deeper
    /// input is an `expr.syntax` error, never a stack overflow in the parser or the evaluator.
    public static let maxDepth = 128

    /// Tallest syntax tree accepted: a flat `a + b + … ` of n terms is a tree n tall but nests nothing, so it
    /// is bounded here, by the evaluator's recursion, not by `maxDepth`.
    public static let maxHeight = 512
}

/// Builds the syntax tree of one expression from its tokens (precedence climbing).
///
/// Precedence, loosest first: `||`, `&&`, `== !=`, `< <= > >= in`, `+ -`, then the prefix `!` and `-`.
/// A syntax error ends the expression (thrown); unknown names and functions and wrong argument counts
/// are collected in `problems` and parsing goes on, so one expression can report several of them.
struct ExpressionParser {
    /// A node with the byte span it covers and the height of its tree.
    struct Parsed {
        var node: ExpressionNode
        var start: Int
        var end: Int
        var height: Int
    }

    private let tokens: [ExpressionToken]
    private let literals: [Value]
    private let bytes: [UInt8]
    private let locator: ScalarLocator
    private var index = 0
    private var nesting = 0
    private(set) var problems: [ExpressionSyntaxError] = []

    init(lexer: ExpressionLexer, locator: ScalarLocator) {
        self.tokens = lexer.tokens
        self.literals = lexer.literals
        self.bytes = lexer.bytes
        self.locator = locator
    }

    /// Parses the tokens, which end with `.close`.
    mutating func parse() throws(ExpressionSyntaxError) -> ExpressionNode {
        let parsed = try parseBinary(level: 0)
        let token = current
        guard token.kind == .close else {
            switch (token.kind, token.kind == .name ? text(token) : "") {
            case (.closeParen, _): throw error("unmatched ')'", token)
            case (.closeBracket, _): throw error("unmatched ']'", token)
            case (.name, "and"): throw error("unexpected 'and'; use '&&'", token, fixIt: "&&")
            case (.name, "or"): throw error("unexpected 'or'; use '||'", token, fixIt: "||")
            default: throw error("expected an operator or '}}', found \(display(token))", token)
            }
        }
        return parsed.node
    }

    // MARK: - Operators

    /// The binary operator a token stands for and its level (0 binds loosest).
    private static func binaryOperator(_ kind: ExpressionToken.Kind) -> (level: Int, op: ExpressionNode.BinaryOperator)? {
        switch kind {
        case .or: return (0, .or)
        case .and: return (1, .and)
        case .equal: return (2, .equal)
        case .notEqual: return (2, .notEqual)
        case .less: return (3, .less)
        case .lessOrEqual: return (3, .lessOrEqual)
        case .greater: return (3, .greater)
        case .greaterOrEqual: return (3, .greaterOrEqual)
        case .in: return (3, .in)
        case .plus: return (4, .plus)
        case .minus: return (4, .minus)
        default: return nil
        }
    }

    /// Operators of `level` or tighter, left-associative (precedence climbing).
    private mutating func parseBinary(level: Int) throws(ExpressionSyntaxError) -> Parsed {
        var left = try parseUnary()
        while let (opLevel, op) = Self.binaryOperator(tokens[index].kind), opLevel >= level {
            let opToken = advance()
            if tokens[index].kind == .close {
                throw error("expected an expression after \(display(opToken))", current)
            }
            let right = try parseBinary(level: opLevel + 1)
            left = try make(
                .binary(op, left.node, right.node, range(left.start, right.end)),
                left.start, right.end, max(left.height, right.height) + 1, at: opToken)
        }
        return left
    }

    private mutating func parseUnary() throws(ExpressionSyntaxError) -> Parsed {
        let token = current
        let op: ExpressionNode.UnaryOperator
        switch token.kind {
        case .not: op = .not
        case .minus: op = .negate
        default: return try parsePrimary()
        }
        advance()
        try enter(token)
        defer { nesting -= 1 }
        let operand = try parseUnary()
        // `-2` is a literal, so that it reads as one in arguments and in the tree.
        if op == .negate, case .literal(let value, _) = operand.node {
            switch value {
            case .int(let i) where i != Int.min:
                return Parsed(node: .literal(.int(-i), range(token.start, operand.end)), start: token.start,
                              end: operand.end, height: 1)
            case .double(let d):
                return Parsed(node: .literal(.double(-d), range(token.start, operand.end)), start: token.start,
                              end: operand.end, height: 1)
            default: break
            }
        }
        return try make(.unary(op, operand.node, range(token.start, operand.end)), token.start, operand.end,
                        operand.height + 1, at: token)
    }

    // MARK: - Primaries

    private mutating func parsePrimary() throws(ExpressionSyntaxError) -> Parsed {
        let token = current
        switch token.kind {
        case .literal:
            advance()
            return Parsed(node: .literal(literals[token.payload], range(token.start, token.end)), start: token.start,
                          end: token.end, height: 1)
        case .openParen:
            advance()
            try enter(token)
            defer { nesting -= 1 }
            let inner = try parseBinary(level: 0)
            let close = current
            guard close.kind == .closeParen else {
                throw error("expected ')', found \(display(close))", close,
                            note: ("to match this '('", token.start, token.end))
            }
            advance()
            return Parsed(node: inner.node, start: token.start, end: close.end, height: inner.height)
        case .openBracket:
            advance()
            try enter(token)
            defer { nesting -= 1 }
            let (items, close) = try parseArguments(closing: .closeBracket, opener: token)
            let height = (items.map(\.height).max() ?? 0) + 1
            return try make(.list(items.map(\.node), range(token.start, close.end)), token.start, close.end,
                            height, at: token)
        case .name:
            advance()
            if tokens[index].kind == .openParen { return try parseCall(text(token), token) }
            return try parsePath(text(token), token)
        case .close:
            throw error("expected an expression, found '}}'", token)
        default:
            throw error("expected an expression, found \(display(token))", token)
        }
    }

    private mutating func parseCall(_ name: String, _ nameToken: ExpressionToken) throws(ExpressionSyntaxError)
        -> Parsed
    {
        let open = advance()
        try enter(open)
        defer { nesting -= 1 }
        let function = ExpressionFunction(rawValue: name)
        if function == nil {
            var message = "unknown function '\(name)'"
            let suggestion = ExpressionFunction.suggestion(for: name)
            if let suggestion { message += "; did you mean '\(suggestion)'?" }
            problems.append(ExpressionSyntaxError(
                id: .exprUnknownFunction, message: message, start: nameToken.start, end: nameToken.end,
                fixIt: suggestion))
        }
        let (arguments, close) = try parseArguments(closing: .closeParen, opener: open)
        if let function, !function.arity.contains(arguments.count) {
            problems.append(ExpressionSyntaxError(
                id: .exprArguments,
                message: "'\(name)' takes \(Self.describe(function.arity)), got \(arguments.count)",
                start: nameToken.start, end: close.end))
        }
        let height = (arguments.map(\.height).max() ?? 0) + 1
        return try make(.call(name, arguments.map(\.node), range(nameToken.start, close.end)), nameToken.start,
                        close.end, height, at: nameToken)
    }

    /// Comma-separated expressions up to `closing` (a trailing comma allowed); returns them and the closer.
    private mutating func parseArguments(closing: ExpressionToken.Kind, opener: ExpressionToken)
        throws(ExpressionSyntaxError) -> ([Parsed], ExpressionToken)
    {
        var items: [Parsed] = []
        let closer = closing == .closeParen ? "')'" : "']'"
        while tokens[index].kind != closing {
            items.append(try parseBinary(level: 0))
            if tokens[index].kind == .comma {
                advance()
            } else if tokens[index].kind != closing {
                throw error("expected ',' or \(closer), found \(display(current))", current,
                            note: ("to match this \(display(opener))", opener.start, opener.end))
            }
        }
        return (items, advance())
    }

    /// A dotted path, with `[…]` indices: a quoted key or a number is a component like any other; any other
    /// expression (`steps.restart[node.name]`) makes an index computed at run time, and what follows it
    /// indexes its value.
    private mutating func parsePath(_ root: String, _ rootToken: ExpressionToken) throws(ExpressionSyntaxError)
        -> Parsed
    {
        var components = [root]
        /// Set from the first index by expression on; later components index its value.
        var dynamic: ExpressionNode?
        var height = 1
        var end = rootToken.end
        func append(_ component: String, _ at: ExpressionToken) throws(ExpressionSyntaxError) {
            guard let base = dynamic else {
                components.append(component)
                return
            }
            if component == "*" { throw error("'*' cannot follow an index by expression", at) }
            dynamic = .index(base, .literal(.string(component), range(at.start, at.end)), range(rootToken.start, at.end))
        }
        while true {
            if tokens[index].kind == .dot {
                let dot = advance()
                guard tokens[index].kind == .component else {
                    throw error("expected a name after '.', found \(display(current))", current,
                                note: ("after this '.'", dot.start, dot.end))
                }
                let component = advance()
                try append(text(component), component)
                end = component.end
            } else if tokens[index].kind == .openBracket {
                let open = advance()
                let key = current
                let closesNext = tokens[index + 1 < tokens.count ? index + 1 : index].kind == .closeBracket
                switch (key.kind, key.kind == .literal ? literals[key.payload] : .null, closesNext) {
                case (.literal, .string(let s), true):
                    advance()
                    try append(s, key)
                case (.literal, .int(let i), true) where i >= 0:
                    advance()
                    try append(String(i), key)
                default:
                    try enter(open)
                    defer { nesting -= 1 }
                    let computed = try parseBinary(level: 0)
                    let base = dynamic ?? .path(components, range(rootToken.start, end))
                    height = max(height, computed.height) + 1
                    guard tokens[index].kind == .closeBracket else {
                        throw error("expected ']', found \(display(current))", current,
                                    note: ("to match this '['", open.start, open.end))
                    }
                    dynamic = .index(base, computed.node, range(rootToken.start, tokens[index].end))
                }
                guard tokens[index].kind == .closeBracket else {
                    throw error("expected ']', found \(display(current))", current,
                                note: ("to match this '['", open.start, open.end))
                }
                end = advance().end
            } else {
                break
            }
        }
        if !Expression.scopeNames.contains(root) {
            var message = "unknown name '\(root)'"
            let suggestion = Suggest.closest(to: root, among: Expression.scopeNames + ["true", "false", "null"])
            if let suggestion { message += "; did you mean '\(suggestion)'?" }
            else { message += "; paths start with \(Expression.scopeNames.map { "'\($0)'" }.joined(separator: ", "))" }
            problems.append(ExpressionSyntaxError(
                id: .exprUnknownName, message: message, start: rootToken.start, end: rootToken.end,
                fixIt: suggestion))
        }
        let node = dynamic ?? .path(components, range(rootToken.start, end))
        return try make(node, rootToken.start, end, height, at: rootToken)
    }

    // MARK: - Helpers

    private var current: ExpressionToken { tokens[index] }

    private func text(_ token: ExpressionToken) -> String {
        String(decoding: bytes[token.start..<token.end], as: UTF8.self)
    }

    /// How a token reads in "expected …, found …" messages.
    private func display(_ token: ExpressionToken) -> String {
        switch token.kind {
        case .literal:
            let value = literals[token.payload]
            if case .string(let s) = value { return "string '\(s)'" }
            return "'\(value.jsonText())'"
        case .name, .component: return "'\(text(token))'"
        default: return "'\(token.symbol)'"
        }
    }

    @discardableResult
    private mutating func advance() -> ExpressionToken {
        let token = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return token
    }

    private mutating func enter(_ token: ExpressionToken) throws(ExpressionSyntaxError) {
        nesting += 1
        if nesting > Expression.maxDepth {
            throw error("expression nested more than \(Expression.maxDepth) levels deep", token)
        }
    }

    private func make(_ node: ExpressionNode, _ start: Int, _ end: Int, _ height: Int, at token: ExpressionToken)
        throws(ExpressionSyntaxError) -> Parsed
    {
        if height > Expression.maxHeight {
            throw error("expression has more than \(Expression.maxHeight) operators and nested levels in a chain", token)
        }
        return Parsed(node: node, start: start, end: end, height: height)
    }

    private func range(_ start: Int, _ end: Int) -> SourceRange { locator.range(start, end) }

    private func error(
        _ message: String, _ token: ExpressionToken, fixIt: String? = nil,
        note: (message: String, start: Int, end: Int)? = nil
    ) -> ExpressionSyntaxError {
        ExpressionSyntaxError(message: message, start: token.start, end: token.end, fixIt: fixIt, note: note)
    }

    private static func describe(_ arity: ClosedRange<Int>) -> String {
        let plural: (Int) -> String = { $0 == 1 ? "1 argument" : "\($0) arguments" }
        if arity.upperBound == Int.max { return "at least \(plural(arity.lowerBound))" }
        if arity.count == 1 { return plural(arity.lowerBound) }
        return "\(arity.lowerBound) to \(arity.upperBound) arguments"
    }
}
