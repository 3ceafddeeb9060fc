import PlanYAML

/// What every rule reads, computed once per plan: step graphs, id indices, name sets and the paths each
/// template reads (so no rule walks a template's expressions twice or scans steps linearly for an id).
///
/// The facts hold no copy of a step: a rule reads the fields it needs where the step stands
/// (`operation.step(facts).id`). A copy of a step retains every array and string in it, and releases them when
/// the facts go: at 50,000 steps, touching each step's objects twice more was a third of linting.
public struct LintContext: Sendable {
    /// Where a step (top-level or nested) stands, and the range of its entries in `OperationFacts.references`.
    public struct StepFacts: Sendable {
        /// Index in `OperationFacts.allSteps`.
        let index: Int
        /// Index in the graph (the operation's steps) of the top-level step that owns it (itself when top-level).
        public let owner: Int
        /// Whether the step is nested in another (a fallback, an `on_failure` step or a group's step).
        public let isFallback: Bool
        /// Its entries in `OperationFacts.references`.
        let referenceRange: Range<Int>
    }

    public struct OperationFacts: Sendable {
        public var operation: Operation
        public var graph: StepGraph
        /// Facts of the top-level steps and nested ones, depth first.
        public var steps: [StepFacts]
        /// Id → index in `steps` of its first definition.
        public var firstByID: [String: Int]
        /// Every path the steps' templates read, step after step; `key` is the step key the template stands under
        /// (`run`, `until`, `target`, …). One array for all steps, rather than one allocated per step.
        public var references: [(key: String, reference: Reference)]
        /// The steps `steps` describe, in the same order: the operation's own list when no step has nested ones
        /// (most plans), else a depth-first copy. One array, so that reading a field of `allSteps[i]` copies
        /// that field only; reading through a choice of two arrays copied the whole step.
        let allSteps: [Step]

        /// The step `facts` describe. Read one field of it (`step(facts).id`): that field is all that is copied.
        public func step(_ facts: StepFacts) -> Step { allSteps[facts.index] }

        /// Calls `body` with every template of the step and the key it stands under, read in place.
        public func forEachTemplate(of facts: StepFacts, _ body: (String, Template) -> Void) {
            allSteps.forEachTemplate(ofStepAt: facts.index, body)
        }

        /// The paths the step's templates read, with the key each stands under.
        public func references(of facts: StepFacts) -> ArraySlice<(key: String, reference: Reference)> {
            references[facts.referenceRange]
        }
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
        operations = plan.operations.map(Self.facts)
        var planTemplates: [Template] = []
        if case .template(let t) = plan.policy.deadline { planTemplates.append(t) }
        if let t = plan.policy.destructiveWhen { planTemplates.append(t) }
        for field in plan.output { planTemplates += field.value.templates }
        planReferences = planTemplates.flatMap(\.references)
    }

    /// The operation's steps and nested steps, depth first, where each id is first defined, and what each reads.
    private static func facts(of operation: Operation) -> OperationFacts {
        let steps = operation.steps
        var facts: [StepFacts] = []
        facts.reserveCapacity(steps.count)
        var firstByID: [String: Int] = [:]
        firstByID.reserveCapacity(steps.count)
        var references: [(key: String, reference: Reference)] = []
        var nested: [Step] = []
        // Field by field and by index: `for step in steps`, or a step passed whole, copied every step.
        func readReferences(_ key: String, _ template: Template) {
            template.forEachReference { references.append((key, $0)) }
        }
        func add(id: String, owner: Int, isFallback: Bool, referencesFrom start: Int) {
            if firstByID[id] == nil { firstByID[id] = facts.count }
            facts.append(StepFacts(index: facts.count, owner: owner, isFallback: isFallback, referenceRange: start..<references.count))
        }
        func visitNested(of step: Step, owner: Int) {
            func visit(_ step: Step) {
                nested.append(step)
                let start = references.count
                step.forEachTemplate(readReferences)
                add(id: step.id, owner: owner, isFallback: true, referencesFrom: start)
                visitNested(of: step, owner: owner)
            }
            step.fallback.forEach(visit)
            step.onFailure.forEach(visit)
            if step.uses != nil {
                // A used step file's steps were checked against the file itself (its inputs, its lines); here
                // they are only names that `needs:` and `steps.ID` may use.
                let group = firstByID[step.id] ?? facts.count - 1
                for child in Operation(name: "", steps: step.children).allSteps where firstByID[child.id] == nil {
                    firstByID[child.id] = group
                }
            } else {
                step.children.forEach(visit)
            }
        }
        // Nil until a step has nested ones: until then the steps described are the operation's own list.
        var allSteps: [Step]?
        for i in steps.indices {
            let start = references.count
            steps.forEachTemplate(ofStepAt: i, readReferences)
            add(id: steps[i].id, owner: i, isFallback: false, referencesFrom: start)
            let nests = !steps[i].fallback.isEmpty || !steps[i].onFailure.isEmpty || steps[i].isGroup
            if nests, allSteps == nil { allSteps = Array(steps[..<i]) }
            guard allSteps != nil else { continue }
            allSteps?.append(steps[i])
            guard nests else { continue }
            nested = []
            visitNested(of: steps[i], owner: i)
            allSteps? += nested
        }
        return OperationFacts(
            operation: operation, graph: StepGraph(operation: operation), steps: facts, firstByID: firstByID,
            references: references, allSteps: allSteps ?? steps)
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
    /// order of `templates`, without building that array.
    public func forEachTemplate(_ body: (String, Template) -> Void) {
        [self].forEachTemplate(ofStepAt: 0, body)
    }

    /// Every path the step's templates read, with the key each stands under.
    public var references: [(key: String, reference: Reference)] {
        var out: [(key: String, reference: Reference)] = []
        forEachTemplate { key, template in template.forEachReference { out.append((key, $0)) } }
        return out
    }
}

extension Array where Element == Step {
    /// `self[i].forEachTemplate(body)`, reading each field where the step stands. The lint context and the
    /// expression rule do this for every step: called on `self[i]`, a method copied the whole step first
    /// (retaining every array and string in it) and released it after.
    public func forEachTemplate(ofStepAt i: Int, _ body: (String, Template) -> Void) {
        switch self[i].action {
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
        self[i].forEach?.forEachTemplate { body("for_each", $0) }
        for entry in self[i].uses?.with ?? [] { entry.value.forEachTemplate { body("with", $0) } }
        if case .names(let names)? = self[i].target { for t in names { body("target", t) } }
        if let when = self[i].when { body("when", when) }
        if case .template(let t)? = self[i].timeout { body("timeout", t) }
        if let until = self[i].until { body("until", until) }
        if let changedWhen = self[i].changedWhen { body("changed_when", changedWhen) }
        if let fallbackNode = self[i].fallbackNode { body("fallback_node", fallbackNode) }
        if let message = self[i].message { body("message", message) }
        if let recommend = self[i].recommend { body("recommend", recommend) }
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
