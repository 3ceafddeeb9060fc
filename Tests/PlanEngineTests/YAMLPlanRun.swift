import Foundation
import PlanEngine
import PlanTestSupport
import Testing

/// Runs plans written in YAML, as `planrun run` prepares them (decoded, linted, inputs typed), in this process.
struct YAMLPlanRun {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The directory the plan was written to; `DIR` in the plan text stands for it.
    let directory: String

    init() {
        directory = NSTemporaryDirectory() + "planrun-v2-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    /// Writes `text` (with `DIR` replaced) to `name` in the directory and returns its path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let path = directory + "/" + name
        try text.replacingOccurrences(of: "DIR", with: directory).write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// `plan.yaml` (written from `yaml`) prepared as `planrun run` prepares it.
    func request(_ yaml: String, inputs: [String] = [], dryRun: Bool = false) throws -> RunRequest {
        let path = try write("plan.yaml", yaml)
        switch RunPreparation.prepare(plan: path, assignments: inputs, inputsFile: nil, inventoryFile: nil, stdin: { [] }) {
        case .success(var request):
            request.dryRun = dryRun
            request.grace = 0.5
            return request
        case .failure(let problems):
            throw Failure(description: problems.diagnostics.map(\.summary).joined(separator: "\n"))
        }
    }

    /// Runs `plan.yaml` (written from `yaml`); the result must match `schemas/result.schema.json`.
    func run(_ yaml: String, inputs: [String] = [], dryRun: Bool = false) async throws -> RunResult {
        try await check(await PlanRunner(try request(yaml, inputs: inputs, dryRun: dryRun)).run())
    }

    /// `result`, after checking it against `schemas/result.schema.json`.
    func check(_ result: RunResult) async throws -> RunResult {
        let problems = try await SchemaCheck.problems(result.json().jsonText(indent: 2), schema: "schemas/result.schema.json")
        #expect(problems == nil, "result does not match schemas/result.schema.json: \(problems ?? "")")
        return result
    }

    /// The lines of a file in the directory.
    func lines(_ name: String) -> [String] {
        ((try? String(contentsOfFile: directory + "/" + name, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }
}

extension RunResult {
    /// `id [node] status` of every record, in result order.
    var summary: [String] {
        steps.map { "\($0.step)\($0.node.map { " [\($0)]" } ?? "") \($0.status.rawValue)" }
    }

    func records(_ id: String) -> [StepRecord] { steps.filter { $0.step == id } }
}

/// `n` local nodes `n1`…`nN` and a group `all`, as inventory YAML.
func localNodes(_ n: Int) -> String {
    let names = (1...n).map { "n\($0)" }
    return """
        inventory:
          nodes: { \(names.map { "\($0): { transport: local }" }.joined(separator: ", ")) }
          groups: { all: [\(names.joined(separator: ", "))] }
        """
}
