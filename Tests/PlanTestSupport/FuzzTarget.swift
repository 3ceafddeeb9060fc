import PlanCore
import PlanYAML

/// The readers of outside data that `scripts/fuzz` fuzzes (libFuzzer, `Fuzz/PlanFuzz.swift`) and
/// `FuzzRegressionTests` replays: `compose` (the YAML composer), `plan` (plan decoding and lint),
/// `expression` (template and expression parsing, evaluation and shell rendering), `json` (the JSON parser
/// and writer), `inputs` (an inputs file typed against a plan's declarations) and `inventory` (an inventory
/// file, planrun's or Ansible's YAML). Each must return, whatever the bytes: no trap, no hang.
public enum FuzzTarget: String, CaseIterable, Sendable {
    case compose, plan, expression, json, inputs, inventory

    /// Feeds `bytes` to the target's reader.
    public func run(_ bytes: [UInt8]) {
        switch self {
        case .compose:
            _ = YAMLComposer.compose(bytes, file: "fuzz.yaml")
        case .plan:
            let (plan, _) = PlanDecoder.decode(bytes: bytes, file: "fuzz.yaml")
            if let plan { _ = PlanLinter.lint(plan) }
        case .expression:
            let (template, _) = Template.parse(String(decoding: bytes, as: UTF8.self), at: .unknown)
            _ = try? template.evaluate(in: Self.scope)
            _ = try? template.renderShell(in: Self.scope)
        case .json:
            if let value = try? Value.parseJSON(String(decoding: bytes, as: UTF8.self)) {
                // What the writer makes, the parser reads back.
                let text = value.jsonText()
                guard (try? Value.parseJSON(text)) != nil else { fatalError("jsonText wrote unreadable JSON: \(text)") }
            }
        case .inputs:
            let (raw, _) = InputFile.read(bytes: bytes, file: "fuzz.json")
            _ = InputResolver.resolve(plan: Self.inputsPlan, raw: raw)
        case .inventory:
            _ = InventoryDecoder.decode(bytes: bytes, file: "fuzz.yaml")
        }
    }

    /// A plan declaring one input of every type, for the `inputs` target.
    static let inputsPlan: Plan = {
        let yaml = """
            planrun: 1
            inventory: { nodes: { a: { transport: local }, b: { transport: local } }, groups: { g: [a, b] } }
            inputs:
              s: { type: string, enum: [x, y] }
              i: { type: int, min: -5, max: 1000 }
              f: { type: float, min: 0.5 }
              b: { type: bool }
              d: { type: duration, max: 1h }
              n: { type: node }
              l: { type: list }
              k: { type: string, secret: true }
            operations:
              one: { execute: [{ id: x, run: "true" }] }
              two: { execute: [{ id: y, run: "true" }] }
            """
        guard let plan = PlanDecoder.decode(bytes: Array(yaml.utf8), file: "fuzz-plan.yaml").0 else {
            fatalError("the fuzz plan does not decode")
        }
        return plan
    }()

    /// What expressions read: inputs, node captures, step results and node variables of every type.
    static let scope: Value.Object = {
        guard case .object(let scope) = try? Value.parseJSON("""
            {"inputs": {"s": "it's", "i": 7, "f": 2.5, "b": true, "l": [1, "two", [3], {"k": null}], "o": {"a": {"b": 1}}},
             "nodes": {"a": {"height": 15234, "ok": true, "lines": ["x", "y"]}, "b": {"height": -1}},
             "steps": {"s1": {"ok": true, "a": {"status": "succeeded", "exit_code": 0, "stdout": "out"}}},
             "node": {"name": "a", "vars": {"role": "genesis"}},
             "vars": {"port": 22}}
            """)
        else { fatalError("the fuzz scope does not parse") }
        return scope
    }()
}
