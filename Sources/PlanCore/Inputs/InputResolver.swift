import PlanYAML

/// Types the operator's inputs by the plan's declarations, picks the operation and fills defaults.
///
/// Problems are diagnostics with ids `input.*`: values from the command line have no file (`<input>`), values
/// from an inputs file point into it, and a missing required input points at its declaration in the plan.
public enum InputResolver {
    public struct Resolution: Sendable {
        /// The operation to run; nil when it could not be decided (see the diagnostics).
        public var operation: String?
        /// Every declared input with a value, in declaration order, after `operation`.
        public var values: Value.Object
        public var diagnostics: [Diagnostic]
    }

    /// `raw` in the order given; a later value for the same key replaces an earlier one (file, then `-i`).
    public static func resolve(plan: Plan, raw: [(key: String, value: RawInput)]) -> Resolution {
        var diagnostics: [Diagnostic] = []
        var given: [String: RawInput] = [:]
        var operationInput: RawInput?
        let declarations = Dictionary(plan.inputs.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for (key, value) in raw {
            if key == "operation" { operationInput = value; continue }
            guard declarations[key] != nil else {
                let names = plan.inputs.map(\.name) + ["operation"]
                var message = "unknown input '\(key)'"
                let guess = Suggest.closest(to: key, among: names)
                if let guess { message += "; did you mean '\(guess)'?" }
                else { message += "; the plan declares: " + names.joined(separator: ", ") }
                diagnostics.append(Diagnostic(.inputUnknown, message, file: value.file, at: value.keyRange ?? value.range, fixIt: guess))
                continue
            }
            given[key] = value
        }

        var values = Value.Object()
        let operation = resolveOperation(plan: plan, raw: operationInput, diagnostics: &diagnostics)
        if let operation { values["operation"] = .string(operation) }

        for input in plan.inputs {
            if let raw = given[input.name] {
                guard let value = typed(raw, as: input, plan: plan, diagnostics: &diagnostics) else { continue }
                if let problem = InputChecks.violation(of: value, in: input) {
                    let isEnum = input.allowed != nil && !(input.allowed!.contains(value))
                    diagnostics.append(
                        Diagnostic(
                            isEnum ? .inputEnum : .inputRange,
                            "input '\(input.name)' " + (input.secret ? (isEnum ? "is not one of its allowed values" : "is out of its range") + " (secret, not shown)" : problem),
                            file: raw.file, at: raw.range,
                            notes: [Diagnostic.Note("declared here", at: input.range, file: plan.file)]))
                    continue
                }
                values[input.name] = value
            } else if let value = input.defaultValue {
                values[input.name] = value
            } else if input.required {
                diagnostics.append(
                    Diagnostic(
                        .inputMissing, "input '\(input.name)' is required; pass it with -i \(input.name)=…",
                        file: plan.file, at: input.range))
            }
        }
        return Resolution(operation: operation, values: values, diagnostics: diagnostics)
    }

    private static func resolveOperation(plan: Plan, raw: RawInput?, diagnostics: inout [Diagnostic]) -> String? {
        let names = plan.operations.map(\.name)
        guard let raw else {
            if names.count == 1 { return names[0] }
            diagnostics.append(
                Diagnostic(
                    .inputMissingOperation,
                    "the plan has several operations; choose one with -i operation=NAME (" + names.joined(separator: ", ") + ")",
                    at: .unknown))
            return nil
        }
        let name: String
        switch raw.content {
        case .text(let text): name = text
        case .value(.string(let text)): name = text
        case .value(let other):
            diagnostics.append(
                Diagnostic(.inputType, "expected an operation name, found \(other.typeName)", file: raw.file, at: raw.range))
            return nil
        }
        if names.contains(name) { return name }
        let guess = Suggest.closest(to: name, among: names)
        let message = "unknown operation '\(name)'"
            + (guess.map { "; did you mean '\($0)'?" } ?? "; the plan has: " + names.joined(separator: ", "))
        diagnostics.append(Diagnostic(.inputUnknownOperation, message, file: raw.file, at: raw.range, fixIt: guess))
        return nil
    }

    /// The raw input as a value of the declared type, or nil after a diagnostic.
    private static func typed(
        _ raw: RawInput, as input: InputDeclaration, plan: Plan, diagnostics: inout [Diagnostic]
    ) -> Value? {
        func fail(_ expected: String, _ found: String, id: DiagnosticID = .inputType, fixIt: String? = nil) -> Value? {
            // A secret's value is never echoed, not even a wrong one (it may be the right secret in the wrong input).
            let found = input.secret ? "a value that is not (secret, not shown)" : found
            diagnostics.append(
                Diagnostic(
                    id, "input '\(input.name)' expects \(expected), found \(found)", file: raw.file, at: raw.range,
                    fixIt: input.secret ? nil : fixIt))
            return nil
        }
        // A command line and an environment end a string at NUL: the command would get a cut value.
        if Self.containsNUL(raw.content) {
            diagnostics.append(
                Diagnostic(
                    .inputType, "input '\(input.name)' contains a NUL character, which no command can receive",
                    file: raw.file, at: raw.range))
            return nil
        }
        switch raw.content {
        case .text(let text):
            switch input.kind {
            case .string: return .string(text)
            case .int: return ScalarTyping.int(text).map(Value.int) ?? fail("an integer", "'\(text)'")
            case .float: return ScalarTyping.number(text).map(Value.double) ?? fail("a number", "'\(text)'")
            case .bool:
                if text == "true" { return .bool(true) }
                if text == "false" { return .bool(false) }
                if let guess = ScalarTyping.booleanGuess(text) {
                    return fail("true or false", "'\(text)'; did you mean '\(guess)'?", fixIt: guess ? "true" : "false")
                }
                return fail("true or false", "'\(text)'")
            case .duration:
                if DurationText.isTooLong(text) { return fail("a duration of at most \(DurationText.longestText)", "'\(text)'") }
                return DurationText.seconds(text).map(DurationText.value) ?? fail("a duration such as '10s'", "'\(text)'")
            case .node: return node(text, input: input, raw: raw, plan: plan, diagnostics: &diagnostics)
            case .list: return list(text, input: input, raw: raw, diagnostics: &diagnostics)
            }
        case .value(let value):
            switch (input.kind, value) {
            case (.string, .string), (.int, .int), (.float, .double), (.bool, .bool), (.list, .array):
                return value
            case (.string, .int), (.string, .double), (.string, .bool):
                return .string(value.interpolationText)
            case (.float, .int(let i)): return .double(Double(i))
            case (.int, .double(let d)) where d == d.rounded() && abs(d) < 1e15: return .int(Int(d))
            case (.duration, .int(let i)) where DurationText.bounded(Double(i)) != nil: return .int(i)
            case (.duration, .double(let d)) where DurationText.bounded(d) != nil: return DurationText.value(d)
            case (_, .string(let text)) where input.kind != .string:
                return typed(RawInput(.text(text), file: raw.file, range: raw.range), as: input, plan: plan, diagnostics: &diagnostics)
            default:
                let expected: String
                switch input.kind {
                case .string: expected = "a string"
                case .int: expected = "an integer"
                case .float: expected = "a number"
                case .bool: expected = "true or false"
                case .duration: expected = "a duration in seconds (at most 1e9) or such as '10s'"
                case .node: expected = "a node or group name"
                case .list: expected = "a list"
                }
                return fail(expected, value.typeName == "null" ? "null" : "a \(value.typeName)")
            }
        }
    }

    private static func containsNUL(_ content: RawInput.Content) -> Bool {
        func has(_ value: Value) -> Bool {
            switch value {
            case .string(let s): return s.utf8.contains(0)
            case .array(let items): return items.contains(where: has)
            case .object(let object): return object.contains { $0.key.utf8.contains(0) || has($0.value) }
            default: return false
            }
        }
        switch content {
        case .text(let text): return text.utf8.contains(0)
        case .value(let value): return has(value)
        }
    }

    private static func node(
        _ name: String, input: InputDeclaration, raw: RawInput, plan: Plan, diagnostics: inout [Diagnostic]
    ) -> Value? {
        let names = plan.inventory.nodes.map(\.name) + plan.inventory.groups.map(\.name)
        if names.contains(name) { return .string(name) }
        let guess = Suggest.closest(to: name, among: names)
        // The valid names are listed even with a suggestion: the operator may have meant another one.
        let valid = input.allowed?.compactMap { if case .string(let s) = $0 { s } else { nil } } ?? names
        var message = "input '\(input.name)' names unknown node or group '\(name)'"
        if let guess { message += "; did you mean '\(guess)'?" }
        message += valid.isEmpty ? " (the inventory is empty)" : " (valid: " + valid.joined(separator: ", ") + ")"
        diagnostics.append(Diagnostic(.inputUnknownNode, message, file: raw.file, at: raw.range, fixIt: guess))
        return nil
    }

    /// `a,b,c` or a JSON list (`["a", 1]`).
    private static func list(_ text: String, input: InputDeclaration, raw: RawInput, diagnostics: inout [Diagnostic]) -> Value? {
        let trimmed = text.drop { $0 == " " }
        if trimmed.hasPrefix("[") {
            do {
                let value = try Value.parseJSON(text)
                if case .array = value { return value }
            } catch {}
            diagnostics.append(
                Diagnostic(
                    .inputType, "input '\(input.name)' expects a comma-separated or JSON list, found '\(text)'",
                    file: raw.file, at: raw.range))
            return nil
        }
        if text.isEmpty { return .array([]) }
        return .array(text.split(separator: ",", omittingEmptySubsequences: false).map {
            .string(String($0).trimmingSpaces)
        })
    }
}

extension String {
    /// Without leading and trailing spaces and tabs.
    public var trimmingSpaces: String {
        var s = Substring(self)
        while let c = s.first, c == " " || c == "\t" { s = s.dropFirst() }
        while let c = s.last, c == " " || c == "\t" { s = s.dropLast() }
        return String(s)
    }
}
