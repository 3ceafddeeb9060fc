import PlanEngine

/// A tool's `outputSchema`: the result schema every run's JSON conforms to, with the plan's own `output:`
/// fields named. Their values are whatever the plan's templates make (null when one cannot be evaluated, and
/// absent from a dry run), so they are described, not typed.
enum OutputSchema {
    static func make(for plan: Plan, operation: Operation) -> Value {
        guard case .object(var schema) = ResultSchema.value,
              case .object(let engine)? = schema["properties"] else { return ResultSchema.value }
        // The `$id` names the file; this document is the file plus the plan's fields, so it has none.
        schema["$id"] = nil
        schema["title"] = .string("result of \(plan.name).\(operation.name)")
        // The plan's fields first, as in the result itself.
        var properties = Value.Object()
        for field in plan.output where engine[field.name] == nil {
            properties[field.name] = .object(Value.Object([
                ("description", .string("the plan's output field '\(field.name)'")),
            ]))
        }
        for (key, value) in engine { properties[key] = value }
        schema["properties"] = .object(properties)
        return .object(schema)
    }
}
