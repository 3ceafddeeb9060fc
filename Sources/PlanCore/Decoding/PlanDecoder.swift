import PlanYAML

/// Turns a plan file into a `Plan`, reporting every problem with its place in the file.
///
/// One pass over the composed YAML: each field is read by a typed reader that records a diagnostic and
/// goes on, so that a file with ten problems shows ten diagnostics. The plan is returned whenever the file
/// is a mapping, even with errors, so that the lint rules can still look at the rest.
public enum PlanDecoder {
    /// The versions of the plan language this planrun reads.
    public static let supportedVersions = [1]

    /// Decodes a plan from bytes; `file` is used in diagnostics and kept in `Plan.file`.
    public static func decode(bytes: [UInt8], file: String) -> (Plan?, [Diagnostic]) {
        let (root, yamlProblems) = YAMLComposer.compose(bytes, file: file)
        var context = DecodingContext(file: file)
        context.append(yamlProblems)
        guard let root else {
            if !yamlProblems.hasErrors {
                context.report(
                    .planEmpty, "the file is empty; a plan starts with 'planrun: 1'", at: SourceRange(line: 1, column: 1))
            }
            return (nil, context.diagnostics)
        }
        if StepDecoder.isStepFile(root) {
            // A step file is checked on its own (its keys, its steps, its inputs) but is no plan to run.
            StepDecoder.checkStepFile(root, file: file, context: &context)
            return (nil, context.diagnostics)
        }
        let plan = decodePlan(root, file: file, context: &context)
        return (plan, context.diagnostics)
    }

    /// Reads and decodes the plan at `path`.
    public static func decode(path: String) -> (Plan?, [Diagnostic]) {
        guard let bytes = SourceFile.read(path) else {
            return (nil, [Diagnostic(.planUnreadable, "cannot read plan file '\(path)'", file: path, at: .unknown)])
        }
        return decode(bytes: bytes, file: path)
    }

    static func decodePlan(_ root: YAMLNode, file: String, context: inout DecodingContext) -> Plan? {
        guard let pairs = context.mapping(root, expected: "a mapping of plan keys (planrun, name, operations, …)") else {
            return nil
        }
        var plan = Plan(file: file, name: defaultName(file))
        var sawVersion = false
        var sawOperations = false
        for (key, keyNode, value) in pairs {
            guard let field = PlanSectionKey(rawValue: key) else {
                // `x-` keys hold anchors for reuse (`x-defaults: &defaults`), as in Compose files.
                if !key.hasPrefix("x-") { context.unknownKey(key, at: keyNode, among: PlanSectionKey.self, in: "the plan") }
                continue
            }
            switch field {
            case .planrun:
                sawVersion = true
                if let version = context.int(value, expected: "the plan language version 1") {
                    plan.version = version
                    if !supportedVersions.contains(version) {
                        context.report(
                            .planVersion, "unsupported plan language version \(version); this planrun reads version 1",
                            at: value.range, fixIt: "1")
                    }
                }
            case .name:
                if let name = context.string(value) { plan.name = name }
            case .description:
                if !value.isNull, let text = context.string(value) { plan.description = text }
            case .inventory:
                plan.inventory = InventoryDecoder.decodeNative(value, context: &context)
            case .inputs:
                plan.inputs = decodeInputs(value, context: &context)
            case .policy:
                plan.policy = decodePolicy(value, context: &context)
            case .operations:
                sawOperations = true
                plan.operations = decodeOperations(value, context: &context)
            case .output:
                guard !value.isNull, let fields = context.mapping(value, expected: "a mapping of output fields") else { continue }
                for (name, nameNode, fieldValue) in fields {
                    plan.output.append(
                        OutputField(name: name, value: valueTemplate(fieldValue, context: &context), range: nameNode.range))
                }
            }
        }
        let start = SourceRange(start: root.range.start, end: root.range.start)
        if !sawVersion {
            context.report(.planVersion, "a plan starts with 'planrun: 1', the plan language version", at: start)
        }
        if !sawOperations { context.missingKey("operations", in: "a plan", at: start) }
        return plan
    }

    /// The file's name without directories and extension, for plans that name themselves nothing.
    static func defaultName(_ file: String) -> String {
        var name = Substring(file)
        if let slash = name.lastIndex(of: "/") { name = name[name.index(after: slash)...] }
        if let dot = name.lastIndex(of: "."), dot != name.startIndex { name = name[..<dot] }
        return String(name)
    }

    /// A YAML value whose scalars are templates (`output:` and `set:`).
    static func valueTemplate(_ node: YAMLNode, context: inout DecodingContext) -> ValueTemplate {
        switch node.content {
        case .scalar:
            let (template, problems) = Template.parse(node)
            context.append(problems)
            return .scalar(template, typedLiteral: ScalarTyping.typedLiteral(node))
        case .sequence(let items):
            return .list(items.map { valueTemplate($0, context: &context) }, node.range)
        case .mapping:
            let pairs = context.mapping(node, expected: "a mapping") ?? []
            return .map(pairs.map { ValueTemplate.Entry(key: $0.key, value: valueTemplate($0.value, context: &context)) }, node.range)
        }
    }
}
