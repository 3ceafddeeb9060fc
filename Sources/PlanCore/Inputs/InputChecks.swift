/// The checks an input value must pass whatever its source: its declaration's `enum:`, `min:` and `max:`.
enum InputChecks {
    /// Why `value` is not allowed for `input` ("is 'x', not one of: a, b"), or nil when it is.
    static func violation(of value: Value, in input: InputDeclaration) -> String? {
        if let allowed = input.allowed, !allowed.contains(value) {
            return "is \(show(value, input)), not one of: " + allowed.map { show($0, input) }.joined(separator: ", ")
        }
        let number: Double?
        switch value {
        case .int(let i): number = Double(i)
        case .double(let d): number = d
        default: number = nil
        }
        if let number {
            if let min = input.min, number < min {
                return "is \(show(value, input)), below the minimum of \(show(bound: min, input))"
            }
            if let max = input.max, number > max {
                return "is \(show(value, input)), above the maximum of \(show(bound: max, input))"
            }
        }
        return nil
    }

    static func show(_ value: Value, _ input: InputDeclaration) -> String {
        switch value {
        case .string(let s): return "'\(s)'"
        case .int(let i) where input.kind == .duration: return DurationText.format(Double(i))
        case .double(let d) where input.kind == .duration: return DurationText.format(d)
        default: return value.jsonText()
        }
    }

    static func show(bound: Double, _ input: InputDeclaration) -> String {
        input.kind == .duration ? DurationText.format(bound) : DurationText.value(bound).jsonText()
    }
}
