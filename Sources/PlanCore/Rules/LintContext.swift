import PlanYAML

/// What every rule reads, computed once per plan: step graphs, id indices, name sets and the paths each
/// template reads (so no rule walks a template's expressions twice or scans steps linearly for an id).
public struct LintContext: Sendable {
    /// A step (top-level or fallback) with the paths its templates read.
    ///
    /// A class, so that the rules' loops over the steps retain one reference per step rather than copy every
    /// field of a `Step` (as a struct, copying facts was an eighth of validating 5,000 steps).
    public final class StepFacts: Sendable {
        public let step: Step
        /// Index in the graph of the top-level step that owns it (itself when top-level).
        public let owner: Int
        public let isFallback: Bool
        /// `key` is the step key the template stands under (`run`, `until`, `target`, …).
        public let references: [(key: String, reference: Reference)]

        /// Calls `body` with every template of the step, read in place: through `facts.step`, a rule copied the
        /// whole step out of this object first.
        public func forEachTemplate(_ body: (String, Template) -> Void) {
            step.forEachTemplate(body)
        }

        init(step: Step, owner: Int, isFallback: Bool, references: [(key: String, reference: Reference)]) {
            self.step = step
            self.owner = owner
            self.isFallback = isFallback
            self.references = references
        }
    }

    public struct OperationFacts: Sendable {
        public var operation: Operation
        public var graph: StepGraph
        /// Top-level steps and fallbacks, depth first.
        public var steps: [StepFacts]
        /// Id → index in `steps` of its first definition.
        public var firstByID: [String: Int]
    }

    public let plan: Plan
    public let operations: [OperationFacts]
    /// Paths read outside steps: `policy.deadline`, `policy.destructive_when`, `output:`.
    public let planReferences: [Reference]
    public let nodeNames: Set<String>
    public let groupNames: Set<String>
    public let inputNames: Set<String>

    public init(plan: Plan) {
        self.plan = plan
        nodeNames = Set(plan.inventory.nodes.map(\.name))
        groupNames = Set(plan.inventory.groups.map(\.name))
        inputNames = Set(plan.inputs.map(\.name))
        operations = plan.operations.map { operation in
            let (steps, firstByID) = Self.stepFacts(of: operation)
            return OperationFacts(operation: operation, graph: StepGraph(operation: operation), steps: steps, firstByID: firstByID)
        }
        var planTemplates: [Template] = []
        if case .template(let t) = plan.policy.deadline { planTemplates.append(t) }
        if let t = plan.policy.destructiveWhen { planTemplates.append(t) }
        for field in plan.output { planTemplates += field.value.templates }
        planReferences = planTemplates.flatMap(\.references)
    }

    /// The operation's steps and fallbacks, depth first, and where each id is first defined.
    private static func stepFacts(of operation: Operation) -> (steps: [StepFacts], firstByID: [String: Int]) {
        var steps: [StepFacts] = []
        steps.reserveCapacity(operation.steps.count)
        var firstByID: [String: Int] = [:]
        func visit(_ step: Step, owner: Int, isFallback: Bool) {
            if firstByID[step.id] == nil { firstByID[step.id] = steps.count }
            steps.append(StepFacts(step: step, owner: owner, isFallback: isFallback, references: step.references))
            for nested in step.fallback { visit(nested, owner: owner, isFallback: true) }
            for nested in step.onFailure { visit(nested, owner: owner, isFallback: true) }
            if step.uses != nil {
                // A used step file's steps were checked against the file itself (its inputs, its lines); here
                // they are only names that `needs:` and `steps.ID` may use.
                let group = firstByID[step.id] ?? steps.count - 1
                for child in Operation(name: "", steps: step.children).allSteps where firstByID[child.id] == nil {
                    firstByID[child.id] = group
                }
            } else {
                for child in step.children { visit(child, owner: owner, isFallback: true) }
            }
        }
        for (i, step) in operation.steps.enumerated() { visit(step, owner: i, isFallback: false) }
        return (steps, firstByID)
    }

    /// The did-you-mean among node and group names.
    public func closestTarget(to name: String) -> String? {
        Suggest.closest(to: name, among: plan.inventory.nodes.map(\.name) + plan.inventory.groups.map(\.name))
    }
}

extension Step {
    /// Every template of the step (not its fallbacks), with the key it stands under.
    public var templates: [(key: String, template: Template)] {
        var out: [(key: String, template: Template)] = []
        forEachTemplate { key, template in out.append((key, template)) }
        return out
    }

    /// Calls `body` with every template of the step (not its fallbacks) and the key it stands under, in the
    /// order of `templates`, without building that array (the lint context does this for every step).
    public func forEachTemplate(_ body: (String, Template) -> Void) {
        switch action {
        case .run(let t): body("run", t)
        case .argv(let ts): for t in ts { body("argv", t) }
        case .set(let entries): for entry in entries { entry.value.forEachTemplate { body("set", $0) } }
        case .assert(let t): body("assert", t)
        case .copy(let copy): copy.forEachTemplate { body("copy", $1) }
        case .fetch(let fetch):
            body("fetch", fetch.src)
            body("fetch", fetch.dest)
        case .group: break
        }
        forEach?.forEachTemplate { body("for_each", $0) }
        for entry in uses?.with ?? [] { entry.value.forEachTemplate { body("with", $0) } }
        if case .names(let names)? = target { for t in names { body("target", t) } }
        if let when { body("when", when) }
        if case .template(let t)? = timeout { body("timeout", t) }
        if let until { body("until", until) }
        if let changedWhen { body("changed_when", changedWhen) }
        if let fallbackNode { body("fallback_node", fallbackNode) }
        if let message { body("message", message) }
        if let recommend { body("recommend", recommend) }
    }

    /// Every path the step's templates read, with the key each stands under.
    public var references: [(key: String, reference: Reference)] {
        var out: [(key: String, reference: Reference)] = []
        forEachTemplate { key, template in template.forEachReference { out.append((key, $0)) } }
        return out
    }
}

extension ValueTemplate {
    /// The scalar templates inside, depth first.
    public var templates: [Template] {
        var out: [Template] = []
        forEachTemplate { out.append($0) }
        return out
    }

    /// Calls `body` with the scalar templates inside, depth first.
    public func forEachTemplate(_ body: (Template) -> Void) {
        switch self {
        case .scalar(let t, _): body(t)
        case .list(let items, _): for item in items { item.forEachTemplate(body) }
        case .map(let entries, _): for entry in entries { entry.value.forEachTemplate(body) }
        }
    }
}
