import ArgumentParser
import PlanEngine

/// Finding, decoding and linting one plan for the commands that show it (graph, explain).
enum PlanLoading {
    /// The decoded plan with no errors, or exit 65 after printing its diagnostics (64 when not found).
    static func load(_ name: String, printer: DiagnosticPrinter = .standard) throws -> Plan {
        let (path, searched) = PlanLocator.locate(name, environment: Terminal.environment)
        guard let path else {
            Terminal.writeError("error: no plan '\(name)'; looked for: " + searched.joined(separator: ", ") + "\n")
            throw ExitCode(64)
        }
        let bytes = SourceFile.read(path)
        var (plan, diagnostics) = bytes.map { PlanDecoder.decode(bytes: $0, file: path) } ?? PlanDecoder.decode(path: path)
        if let plan { diagnostics += PlanLinter.lint(plan) }
        guard let plan, !diagnostics.hasErrors else {
            printer.report(Sorting.sorted(diagnostics.filter { $0.severity == .error }), source: bytes)
            throw ExitCode(65)
        }
        return plan
    }
}

/// Diagnostics in file order: by line, then column, keeping the rules' order for ties.
enum Sorting {
    static func sorted(_ diagnostics: [Diagnostic]) -> [Diagnostic] {
        diagnostics.enumerated().sorted { a, b in
            let (x, y) = (a.element.range.start, b.element.range.start)
            if x != y { return x < y }
            return a.offset < b.offset
        }.map(\.element)
    }
}

extension PlanLoading {
    /// The operation named by `--operation`, or the plan's only one; exit 64 with a did-you-mean otherwise.
    static func operation(_ name: String?, of plan: Plan) throws -> Operation {
        let names = plan.operations.map(\.name)
        guard let name else {
            if plan.operations.count == 1 { return plan.operations[0] }
            Terminal.writeError("error: the plan has several operations; choose one with --operation (\(names.joined(separator: ", ")))\n")
            throw ExitCode(64)
        }
        if let operation = plan.operation(named: name) { return operation }
        let guess = Suggest.closest(to: name, among: names)
        Terminal.writeError(
            "error: unknown operation '\(name)'" + (guess.map { "; did you mean '\($0)'?" } ?? "; the plan has: " + names.joined(separator: ", ")) + "\n")
        throw ExitCode(64)
    }
}
