import PlanEngine

/// `schemas/result.schema.json`, built into the binary: `planrun mcp` serves it as every tool's output schema
/// wherever it is installed. Its `text` is generated (`scripts/embed-schema`, `ResultSchema+Text.swift`); a
/// test checks it is the file, byte for byte.
enum ResultSchema {
    /// The schema as a value; the text is checked by a test, so it always parses.
    static let value: Value = (try? Value.parseJSON(text)) ?? .object(Value.Object())
}
