import PlanEngine

/// A tool's `inputSchema`: one property per input the plan declares, typed, bounded and defaulted as
/// `planrun run` types the input, plus `dry_run`. The schema helps the agent form a good call; the run
/// still checks every value itself and answers a bad one with the same diagnostic `planrun run` prints.
enum InputSchema {
    /// `10s`, `1m30s`, `500ms`, `1.5h`, or a bare number of seconds (the order of units is checked by the
    /// run, not by the pattern).
    static let durationPattern = #"^([0-9]+(\.[0-9]+)?(h|ms|m|s))+$|^[0-9]+(\.[0-9]+)?$"#

    /// The argument that asks for the dry-run document; a plan may not declare an input of that name.
    static let dryRun = "dry_run"

    static func make(for plan: Plan) -> Value {
        var properties = Value.Object()
        var required: [Value] = []
        for input in plan.inputs {
            properties[input.name] = .object(property(input, inventory: plan.inventory))
            if input.required && input.defaultValue == nil { required.append(.string(input.name)) }
        }
        properties[dryRun] = .object(Value.Object([
            ("type", .string("boolean")),
            ("default", .bool(false)),
            ("description", .string(
                "Return the dry-run document instead of running: the commands each step would start, guards, "
                    + "waves, timeouts. Nothing is started and no node is contacted.")),
        ]))
        var schema = Value.Object([("type", .string("object")), ("properties", .object(properties))])
        if !required.isEmpty { schema["required"] = .array(required) }
        schema["additionalProperties"] = .bool(false)
        return .object(schema)
    }

    static func property(_ input: InputDeclaration, inventory: Inventory) -> Value.Object {
        var out = Value.Object()
        var notes: [String] = []
        switch input.kind {
        case .string: out["type"] = .string("string")
        case .int: out["type"] = .string("integer")
        case .float: out["type"] = .string("number")
        case .bool: out["type"] = .string("boolean")
        case .list: out["type"] = .string("array")
        case .node:
            out["type"] = .string("string")
            if input.allowed == nil {
                let names = inventory.nodes.map(\.name) + inventory.groups.map(\.name)
                out["enum"] = .array(names.map(Value.string))
            }
            notes.append("a node or group of the inventory")
        case .duration:
            return duration(input)
        }
        if let allowed = input.allowed { out["enum"] = .array(allowed) }
        if let min = input.min { out["minimum"] = DurationText.value(min) }
        if let max = input.max { out["maximum"] = DurationText.value(max) }
        if let value = input.defaultValue { out["default"] = value }
        if input.secret { notes.append("secret: shown as *** in every result and progress message") }
        if let text = description(input, notes) { out["description"] = text }
        return out
    }

    /// A string in planrun's duration syntax, or a number of seconds; bounds and enum apply in seconds.
    private static func duration(_ input: InputDeclaration) -> Value.Object {
        var text = Value.Object([("type", .string("string")), ("pattern", .string(durationPattern))])
        var seconds = Value.Object([("type", .string("number")), ("minimum", input.min.map(DurationText.value) ?? .int(0))])
        if let max = input.max { seconds["maximum"] = DurationText.value(max) }
        if let allowed = input.allowed {
            text["enum"] = .array(allowed.map { .string(InputSchema.durationText($0)) })
            seconds["enum"] = .array(allowed)
        }
        var notes = ["a duration such as 10s, 1m30s or 500ms, or a number of seconds"]
        if let min = input.min { notes.append("at least " + DurationText.format(min)) }
        if let max = input.max { notes.append("at most " + DurationText.format(max)) }
        if input.secret { notes.append("secret: shown as *** in every result and progress message") }
        var out = Value.Object([("anyOf", .array([.object(text), .object(seconds)]))])
        if let value = input.defaultValue { out["default"] = value }
        if let text = description(input, notes) { out["description"] = text }
        return out
    }

    /// The plan's own description of the input, then what the type and flags add; nil when both are empty.
    private static func description(_ input: InputDeclaration, _ notes: [String]) -> Value? {
        var parts: [String] = []
        if let text = input.description { parts.append(text) }
        if !notes.isEmpty { parts.append("(" + notes.joined(separator: "; ") + ")") }
        return parts.isEmpty ? nil : .string(parts.joined(separator: " "))
    }

    private static func durationText(_ value: Value) -> String {
        switch value {
        case .int(let i): return DurationText.format(Double(i))
        case .double(let d): return DurationText.format(d)
        default: return value.interpolationText
        }
    }
}
