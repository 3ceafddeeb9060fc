import FoundationEssentials

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Everything `planrun run` does before the first step: find and check the plan, merge an inventory file,
/// read and type the inputs, pick the operation. Problems come back together, as diagnostics.
public enum RunPreparation {
    public struct Problems: Error, Sendable {
        public var diagnostics: [Diagnostic]
    }

    /// `stdin` is read only when the inputs file is `-`. `given` are inputs that come already typed from
    /// elsewhere (an MCP tool call's arguments): after the inputs file, before `-i`.
    public static func prepare(
        plan name: String, assignments: [String], inputsFile: String?, inventoryFile: String?,
        given: [(key: String, value: RawInput)] = [], limit: [String]? = nil,
        stdin: () -> [UInt8] = { SourceFile.read(descriptor: STDIN_FILENO) ?? [] }
    ) -> Result<RunRequest, Problems> {
        let plan: Plan
        var diagnostics: [Diagnostic]
        switch loadPlan(named: name, inventoryFile: inventoryFile) {
        case .success(let loaded): (plan, diagnostics) = loaded
        case .failure(let problems): return .failure(problems)
        }

        var raw: [(key: String, value: RawInput)] = []
        if let inputsFile {
            let bytes: [UInt8]?
            let file = inputsFile == "-" ? "<stdin>" : inputsFile
            bytes = inputsFile == "-" ? stdin() : SourceFile.read(inputsFile)
            guard let bytes else {
                return .failure(Problems(diagnostics: [
                    Diagnostic(.inputFile, "cannot read inputs file '\(inputsFile)'", at: .unknown)
                ]))
            }
            let (values, problems) = InputFile.read(bytes: bytes, file: file)
            diagnostics += problems
            raw += values
        }
        raw += given
        for assignment in assignments {
            if let parsed = RawInput.parseAssignment(assignment) { raw.append(parsed) }
        }
        let resolution = InputResolver.resolve(plan: plan, raw: raw)
        diagnostics += resolution.diagnostics
        // A deadline from the inputs is checked now: a bad one would otherwise mean no deadline at all.
        if case .template(let template)? = plan.policy.deadline {
            var scope = Value.Object()
            scope["inputs"] = .object(resolution.values)
            do { _ = try RunSettings.seconds(.template(template), in: scope) } catch {
                diagnostics.append(Diagnostic(
                    .inputRange, "policy.deadline: \(error)", file: plan.file, at: template.range))
            }
        }
        guard let name = resolution.operation, let operation = plan.operation(named: name), !diagnostics.hasErrors else {
            return .failure(Problems(diagnostics: diagnostics))
        }
        // Every target that the inputs decide is checked now, before any node is touched.
        diagnostics += TargetCheck.problems(plan: plan, operation: operation, inputs: resolution.values)
        var allowed: Set<String>?
        if let limit {
            switch TargetCheck.limit(limit, inventory: plan.inventory) {
            case .success(let names): allowed = names
            case .failure(let problems): diagnostics += problems.diagnostics
            }
        }
        if diagnostics.hasErrors { return .failure(Problems(diagnostics: diagnostics)) }
        var request = RunRequest(plan: plan, operation: operation, inputs: resolution.values)
        request.limit = allowed
        return .success(request)
    }

    /// Finds, decodes and lints the plan, and merges the inventory file into it: everything that does not
    /// depend on the inputs. The warnings found come back with the plan.
    public static func loadPlan(named name: String, inventoryFile: String?) -> Result<(Plan, [Diagnostic]), Problems> {
        let (found, searched) = PlanLocator.locate(name, environment: ProcessInfo.processInfo.environment)
        guard let path = found else {
            return .failure(Problems(diagnostics: [
                Diagnostic(.runPlanNotFound, "no plan '\(name)'; looked for: " + searched.joined(separator: ", "), at: .unknown)
            ]))
        }
        let (decoded, decodeProblems) = PlanDecoder.decode(path: path)
        var diagnostics = decodeProblems
        guard var plan = decoded, !diagnostics.hasErrors else { return .failure(Problems(diagnostics: diagnostics)) }

        // Linted after the merge, as `validate --inventory` does: a plan may target a group only the file defines.
        if let inventoryFile {
            let (inventory, problems) = InventoryDecoder.decode(path: inventoryFile)
            diagnostics += problems
            guard let inventory, !problems.hasErrors else { return .failure(Problems(diagnostics: diagnostics)) }
            plan.inventory = InventoryDecoder.merge(plan: plan.inventory, file: inventory)
        }
        diagnostics += PlanLinter.lint(plan)
        if diagnostics.hasErrors { return .failure(Problems(diagnostics: diagnostics)) }
        // A plan with no nodes at all runs on this machine, as Ansible's implicit localhost does: its steps
        // need no `target:` (the inventory has exactly one node) and report the node as `local`.
        if plan.inventory.nodes.isEmpty {
            plan.inventory.nodes = [NodeDeclaration(name: "local", transport: .local)]
        }
        return .success((plan, diagnostics))
    }
}
