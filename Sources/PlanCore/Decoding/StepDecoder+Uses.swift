#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import PlanYAML

/// `uses: FILE` with `with: { … }`: a step file (`kind: steps`) read into the using step as a group.
///
/// The file is found relative to the using file. Its diagnostics point into it, each with a note naming the
/// using file and line; a file that uses itself, directly or not, is a `plan.uses-cycle` error.
extension StepDecoder {
    static func decodeUses(_ value: YAMLNode, with: YAMLNode?, into step: inout Step, context: inout DecodingContext) {
        guard let path = context.string(value) else { return }
        let file = resolve(path, from: context.file)
        let using = (context.file ?? "<input>") + ":\(value.range.start.line):\(value.range.start.column)"
        let chain = context.usingChain + [canonical(context.file ?? "")]
        if chain.contains(canonical(file)) {
            let names = (context.usingChain + [context.file ?? "", file]).map(shortName)
            context.report(.planUsesCycle, "step files use each other in a cycle: " + names.joined(separator: " -> "), at: value.range)
            return
        }
        guard let bytes = SourceFile.read(file) else {
            context.report(.planUsesFile, "cannot read step file '\(path)' (looked for \(file))", at: value.range)
            return
        }
        var inner = DecodingContext(file: file)
        inner.usingChain = chain
        let (root, problems) = YAMLComposer.compose(bytes, file: file)
        inner.append(problems)
        var used = StepUse(path: path, file: file, range: value.range)
        var steps: [Step] = []
        if let root {
            decodeStepFile(root, phase: step.phase, steps: &steps, inputs: &used.inputs, context: &inner)
            inner.append(lintStepFile(file: file, inputs: used.inputs, steps: steps))
        }
        let note = Diagnostic.Note("used from \(using)", at: nil)
        context.append(inner.diagnostics.map { var d = $0; d.notes.append(note); return d })
        used.with = decodeWith(with, inputs: used.inputs, file: path, at: value.range, context: &context)
        step.uses = used
        step.action = .group(steps.map { mark($0, file: file, usedFrom: note.message) })
    }

    /// `step` and everything in it as coming from the step file `file`; a step that came from a file the file
    /// uses in turn keeps that file and gains this use.
    private static func mark(_ step: Step, file: String, usedFrom: String) -> Step {
        var step = step
        if step.origin == nil {
            step.origin = StepOrigin(file: file, usedFrom: [usedFrom])
        } else {
            step.origin?.usedFrom.append(usedFrom)
        }
        step.fallback = step.fallback.map { mark($0, file: file, usedFrom: usedFrom) }
        step.onFailure = step.onFailure.map { mark($0, file: file, usedFrom: usedFrom) }
        if case .group(let children) = step.action {
            step.action = .group(children.map { mark($0, file: file, usedFrom: usedFrom) })
        }
        return step
    }

    /// Whether the file says `kind:` at its top: a step file, not a plan.
    static func isStepFile(_ root: YAMLNode) -> Bool {
        root.mapping?.contains { $0.key.scalar == "kind" } ?? false
    }

    /// `planrun validate` of a step file by itself: its keys and steps, and its rules against its inputs.
    static func checkStepFile(_ root: YAMLNode, file: String, context: inout DecodingContext) {
        var steps: [Step] = []
        var inputs: [InputDeclaration] = []
        decodeStepFile(root, phase: .execute, steps: &steps, inputs: &inputs, context: &context)
        context.append(lintStepFile(file: file, inputs: inputs, steps: steps))
    }

    /// `planrun: 1`, `kind: steps`, `inputs:` and `steps:`.
    private static func decodeStepFile(
        _ root: YAMLNode, phase: Phase, steps: inout [Step], inputs: inout [InputDeclaration], context: inout DecodingContext
    ) {
        guard let pairs = context.mapping(root, expected: "a step file (planrun: 1, kind: steps, inputs, steps)") else {
            return
        }
        var sawKind = false
        var sawSteps = false
        for (key, keyNode, value) in pairs {
            switch key {
            case "planrun":
                if let version = context.int(value, expected: "the plan language version 1"),
                    !PlanDecoder.supportedVersions.contains(version)
                {
                    context.report(.planVersion, "unsupported plan language version \(version)", at: value.range, fixIt: "1")
                }
            case "kind":
                sawKind = true
                if context.string(value) != "steps" {
                    context.report(
                        .planUsesFile, "a file named by 'uses' is a step file: 'kind: steps'", at: value.range, fixIt: "steps")
                }
            case "name", "description": _ = context.string(value)
            case "inputs": inputs = PlanDecoder.decodeInputs(value, context: &context)
            case "steps":
                sawSteps = true
                steps = decodeSteps(value, phase: phase, context: &context)
            default: context.unknownKey(key, at: keyNode, among: StepFileKey.self, in: "a step file")
            }
        }
        let start = SourceRange(start: root.range.start, end: root.range.start)
        if !sawKind {
            context.report(.planUsesFile, "a file named by 'uses' is a step file and says 'kind: steps'", at: start)
        }
        if !sawSteps { context.missingKey("steps", in: "a step file", at: start) }
    }

    /// The step file's own rules, checked as a one-operation plan of its steps with its inputs: its templates
    /// read its inputs, not the using plan's. Targets, captures made before it and a loop around it are checked
    /// in the using plan (`UsedFileLint`), where they are known; a file validated alone is not checked for them.
    private static func lintStepFile(file: String, inputs: [InputDeclaration], steps: [Step]) -> [Diagnostic] {
        let plan = Plan(file: file, name: PlanDecoder.defaultName(file), inputs: inputs,
                        operations: [Operation(name: "steps", steps: steps)])
        return PlanLinter.lint(plan).filter { !UsedFileLint.rules.contains($0.id) }
    }

    /// `with:` entries: each names a declared input (did-you-mean otherwise); literals are typed now, templates
    /// when the step runs; inputs that are required and have no default must be given.
    private static func decodeWith(
        _ node: YAMLNode?, inputs: [InputDeclaration], file: String, at usesRange: SourceRange,
        context: inout DecodingContext
    ) -> [ValueTemplate.Entry] {
        var out: [ValueTemplate.Entry] = []
        if let node, !node.isNull, let pairs = context.mapping(node, expected: "a mapping of the step file's inputs") {
            for (key, keyNode, value) in pairs {
                guard let input = inputs.first(where: { $0.name == key }) else {
                    context.unknownKey(key, at: keyNode, allowed: inputs.map(\.name), in: "the inputs of step file '\(file)'")
                    continue
                }
                let template = PlanDecoder.valueTemplate(value, context: &context)
                if case .scalar(let t, _) = template, !t.expressions.isEmpty {
                    out.append(ValueTemplate.Entry(key: key, value: template))
                    continue
                }
                if let literal = try? template.evaluate(in: Value.Object()),
                    let problem = input.problem(with: literal)
                {
                    context.report(.planType, "input '\(key)' of step file '\(file)' \(problem)", at: value.range)
                }
                out.append(ValueTemplate.Entry(key: key, value: template))
            }
        }
        for input in inputs where input.required && input.defaultValue == nil && !out.contains(where: { $0.key == input.name }) {
            context.report(
                .planMissingKey, "step file '\(file)' needs the input '\(input.name)'; give it under 'with'",
                at: node?.range ?? usesRange)
        }
        return out
    }

    /// `path` relative to the directory of `file`.
    static func resolve(_ path: String, from file: String?) -> String {
        guard !path.hasPrefix("/"), let file, let slash = file.lastIndex(of: "/") else { return path }
        return String(file[...slash]) + path
    }

    /// The real path, so that `./a.yaml` and `lib/../a.yaml` are one file in a cycle.
    static func canonical(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    private static func shortName(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }
}

extension ValueTemplate {
    /// The value with every template evaluated; plain literals keep their YAML type.
    public func evaluate(in scope: Value.Object) throws(EvaluationError) -> Value {
        switch self {
        case .scalar(let template, let typed):
            if let typed { return typed }
            return try template.evaluate(in: scope)
        case .list(let items, _):
            var out: [Value] = []
            for item in items { out.append(try item.evaluate(in: scope)) }
            return .array(out)
        case .map(let entries, _):
            var out = Value.Object()
            for entry in entries { out[entry.key] = try entry.value.evaluate(in: scope) }
            return .object(out)
        }
    }
}

extension InputDeclaration {
    /// Why `value` does not fit the input's type and bounds ("expects an integer, found a string"), or nil:
    /// the checks an operator's input passes, for `with:` values given to a step file.
    public func problem(with value: Value) -> String? {
        let plan = Plan(file: "", name: "", inputs: [self], operations: [Operation(name: "steps")])
        let resolution = InputResolver.resolve(plan: plan, raw: [(name, RawInput.value(value))])
        guard let first = resolution.diagnostics.first else { return nil }
        let prefix = "input '\(name)' "
        return first.message.hasPrefix(prefix) ? String(first.message.dropFirst(prefix.count)) : first.message
    }
}
