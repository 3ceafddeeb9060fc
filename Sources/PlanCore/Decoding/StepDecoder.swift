import PlanYAML

/// Reads steps: one mapping each, with exactly one action (`run`, `argv`, `set`, `assert`, `copy`, `fetch`, or a
/// group: `steps`, `uses`).
enum StepDecoder {
    static let onErrorChoices = Step.OnError.allCases.map { ($0.rawValue, $0) }

    /// A list of steps; `fallback:` lists reuse it with their owner's phase.
    static func decodeSteps(_ node: YAMLNode, phase: Phase, context: inout DecodingContext) -> [Step] {
        if node.isNull { return [] }
        guard let items = node.sequence else {
            context.typeError(expected: "a list of steps", found: node)
            return []
        }
        // Sized once: a step is a large value, and a list grown by doubling kept up to twice the steps, with the
        // old and the new storage alive together while it grew.
        var steps: [Step] = []
        steps.reserveCapacity(items.count)
        for item in items {
            if let step = decodeStep(item, phase: phase, context: &context) { steps.append(step) }
        }
        return steps
    }

    /// One step, or nil when it has no usable id; a step with other errors is still returned so that the
    /// rules do not report its id as unknown.
    static func decodeStep(_ node: YAMLNode, phase: Phase, context: inout DecodingContext) -> Step? {
        guard let fields = context.mapping(node, expected: "a step mapping with an id and one of \(actionList)") else {
            return nil
        }
        var step = Step(id: "", phase: phase, action: .set([]), range: node.range)
        var sawID = false
        var keys = SeenKeys()
        for field in fields {
            readField(
                field.key, keyNode: field.keyNode, value: field.value, phase: phase, into: &step, sawID: &sawID,
                keys: &keys, context: &context)
        }
        let start = SourceRange(start: node.range.start, end: node.range.start)
        if !sawID {
            context.missingKey("id", in: "a step", at: start)
            return nil
        }
        if step.id.isEmpty { return nil }
        if let changedWhen = step.changedWhen, !step.action.isCommand {
            context.report(
                .planStepAction, "changed_when applies to steps that run on nodes (run, argv, copy or fetch)",
                at: changedWhen.range)
        }
        if keys.action == nil {
            context.report(.planStepAction, "step '\(step.id)' does nothing; give it one of \(actionList)", at: step.idRange)
        }
        if let cacheRange = step.cacheRange { checkCache(step, at: cacheRange, context: &context) }
        checkCombinations(&step, keys: keys, context: &context)
        if step.isGroup { prefixNested(&step) }
        return step
    }

    /// "run, argv, set, assert, steps or uses", for messages.
    static let actionList: String = {
        let names = StepKey.actions.map(\.rawValue)
        return names.dropLast().joined(separator: ", ") + " or " + names.last!
    }()

    /// Keys whose meaning depends on others, remembered while the mapping is read.
    struct SeenKeys {
        /// The key that gave the step its action.
        var action: YAMLNode?
        /// `uses:` and `with:`, read together once the mapping is done.
        var uses: (key: YAMLNode, value: YAMLNode)?
        var with: (key: YAMLNode, value: YAMLNode)?
        /// `batch`, `pause`, `max_failures`: only a group rolls out.
        var rollout: [YAMLNode] = []
        var parallel: YAMLNode?
    }

    /// Rules between keys of one step: a rollout and `with:` need a group, `parallel:` needs `for_each:`,
    /// a group's own steps follow it in order and walk its nodes.
    private static func checkCombinations(_ step: inout Step, keys: SeenKeys, context: inout DecodingContext) {
        if let uses = keys.uses {
            decodeUses(uses.value, with: keys.with?.value, into: &step, context: &context)
        } else if let with = keys.with {
            context.report(.planGroup, "'with' gives inputs to a step file; it needs 'uses'", at: with.key.range)
        }
        if !step.isGroup {
            for key in keys.rollout {
                context.report(.planGroup, "'\(key.scalar ?? "")' rolls out a group; it needs 'steps' or 'uses'", at: key.range)
            }
        } else if let rollout = step.rollout, rollout.batch != nil || rollout.maxFailures != nil, step.target == nil {
            context.report(.planGroup, "group '\(step.id)' rolls out over nodes; give it a 'target'", at: rollout.range)
        }
        if let parallel = keys.parallel, step.forEach == nil {
            context.report(
                .planGroup, "'parallel' runs the items of 'for_each' together; the step has no 'for_each'", at: parallel.range)
        }
        guard step.isGroup else { return }
        for child in step.children {
            if step.target != nil, let target = child.target {
                context.report(
                    .planGroup, "step '\(child.id)' walks the nodes of its group '\(step.id)'; remove its 'target'",
                    at: target.range)
            }
            if child.hasNeedsKey { reportNeeds(of: child, in: step, context: &context) }
        }
        // Reported once here; the needs rules would only repeat it in other words.
        if step.children.contains(where: { !$0.needs.isEmpty }), case .group(var children) = step.action {
            for i in children.indices { children[i].needs = [] }
            step.action = .group(children)
        }
    }

    /// `needs:` on a group's step is an error: a group's steps run in order, on each node it walks, so there is
    /// no graph inside a group (a walk that waited on other steps could not stop cleanly after a failure, and
    /// the order in the file is the order of the walk). The message says what the author likely meant: the
    /// need is met already, a step to move up, or a need that belongs on the group.
    private static func reportNeeds(of child: Step, in group: Step, context: inout DecodingContext) {
        let siblings = group.children.map(\.id)
        let position = siblings.firstIndex(of: child.id) ?? 0
        let lead = "the steps of group '\(group.id)' run in order, so they take no 'needs'"
        guard !child.needs.isEmpty else {
            context.report(.planGroup, lead + "; remove it from step '\(child.id)'", at: child.needsRange ?? child.idRange)
            return
        }
        for need in child.needs {
            let prefix = group.id + "."
            let name = need.id.hasPrefix(prefix) ? String(need.id.dropFirst(prefix.count)) : need.id
            let message: String
            if let index = siblings.firstIndex(of: name), index < position {
                message = lead + ": '\(name)' runs before '\(child.id)' already; remove 'needs'"
            } else if siblings.contains(name) {
                message = lead + ": to run '\(name)' before '\(child.id)', put it above '\(child.id)'"
            } else if let guess = Suggest.closest(to: name, among: Array(siblings[..<position])) {
                message = lead + "; did you mean '\(guess)'? it runs before '\(child.id)' already: remove 'needs'"
            } else {
                message = lead + "; did you mean to put 'needs: [\(name)]' on group '\(group.id)'?"
            }
            context.report(.planGroup, message, at: need.range)
        }
    }

    /// A group's steps (and their fallbacks and `on_failure` steps) are named under the group (`web.restart`),
    /// so that a step file used twice, or two groups with a step `check` each, give ids unique in the operation.
    /// A top-level step's fallbacks keep their own ids, as in version 1.
    private static func prefixNested(_ step: inout Step) {
        func prefix(_ nested: inout Step) {
            nested.id = step.id + "." + nested.id
            nested.fallback = nested.fallback.map { var s = $0; prefix(&s); return s }
            nested.onFailure = nested.onFailure.map { var s = $0; prefix(&s); return s }
            if case .group(let children) = nested.action {
                nested.action = .group(children.map { var s = $0; prefix(&s); return s })
            }
        }
        if case .group(let children) = step.action {
            step.action = .group(children.map { var s = $0; prefix(&s); return s })
        }
    }

    /// One key of a step mapping, read into `step`.
    private static func readField(
        _ key: String, keyNode: YAMLNode, value: YAMLNode, phase: Phase, into step: inout Step, sawID: inout Bool,
        keys: inout SeenKeys, context: inout DecodingContext
    ) {
        guard let field = StepKey.byName[key] else {
            context.unknownKey(key, at: keyNode, among: StepKey.self, in: "a step")
            return
        }
        if field.isAction {
            if let first = keys.action {
                context.report(
                    .planStepAction,
                    "step has both '\(first.scalar ?? "")' and '\(key)'; a step does exactly one of \(actionList)",
                    at: keyNode.range, notes: [Diagnostic.Note("'\(first.scalar ?? "")' is here", at: first.range)])
                return
            }
            keys.action = keyNode
        }
        switch field {
        case .id:
            sawID = true
            if let id = context.string(value) {
                if isValidID(id) {
                    step.id = id
                    step.idRange = value.range
                } else {
                    context.report(
                        .planBadID, "step id '\(id)' may hold only letters, digits, '_' and '-'", at: value.range)
                }
            }
        case .name: step.name = context.string(value)
        case .target:
            guard !value.isNull else {
                context.typeError(expected: "a node, a group, a list or an expression", found: value)
                return
            }
            let names = value.sequence ?? [value]
            step.target = .names(names.compactMap { context.template($0) })
        case .run:
            if let template = context.template(value) { step.action = .run(template) }
        case .argv:
            guard let items = value.sequence, !items.isEmpty else {
                context.typeError(expected: "a non-empty list of arguments", found: value)
                return
            }
            step.action = .argv(items.compactMap { context.template($0) })
        case .set:
            guard let entries = context.mapping(value, expected: "a mapping of variables") else { return }
            step.action = .set(entries.map { ValueTemplate.Entry(key: $0.key, value: PlanDecoder.valueTemplate($0.value, context: &context)) })
        case .assert:
            if let template = context.template(value) { step.action = .assert(template) }
        case .copy:
            if let copy = decodeCopy(value, context: &context) { step.action = .copy(copy) }
        case .fetch:
            if let fetch = decodeFetch(value, context: &context) { step.action = .fetch(fetch) }
        case .changedWhen: step.changedWhen = context.template(value)
        case .needs:
            step.needsRange = keyNode.range
            step.needs = (context.stringList(value) ?? []).map { Step.Need(id: $0.0, range: $0.1) }
        case .when: step.when = context.template(value)
        case .timeout: step.timeout = context.durationSetting(value)
        case .retries:
            if let n = context.int(value, expected: "a number of retries") {
                if n < 0 { context.report(.planType, "retries cannot be negative", at: value.range) }
                else { step.retries = n }
            }
        case .delay: step.delay = context.duration(value) ?? step.delay
        case .until: step.until = context.template(value)
        case .capture: step.captures = decodeCaptures(value, context: &context)
        case .onError: step.onError = context.word(value, among: onErrorChoices, what: "on_error policy") ?? .fail
        case .fallback: step.fallback = decodeSteps(value, phase: phase, context: &context)
        case .fallbackNode: step.fallbackNode = context.template(value)
        case .errors: step.errors = decodeErrorRules(value, context: &context)
        case .destructive: step.destructive = context.bool(value) ?? false
        case .message: step.message = context.template(value)
        case .recommend: step.recommend = context.template(value)
        case .cache:
            step.cacheRange = keyNode.range
            step.cache = context.duration(value)
        case .forEach:
            if value.isNull { context.typeError(expected: "a list or an expression that yields one", found: value) }
            else { step.forEach = PlanDecoder.valueTemplate(value, context: &context) }
        case .parallel:
            keys.parallel = keyNode
            step.parallel = context.bool(value) ?? false
        case .steps:
            let children = decodeSteps(value, phase: phase, context: &context)
            if children.isEmpty, value.sequence != nil {
                context.report(.planGroup, "a group needs at least one step", at: value.range)
            }
            step.action = .group(children)
        case .uses: keys.uses = (keyNode, value)
        case .with: keys.with = (keyNode, value)
        case .batch:
            keys.rollout.append(keyNode)
            if let share = context.share(value, what: "a number of nodes per batch") {
                if share.of(100) <= 0 { context.report(.planType, "a batch needs at least one node", at: value.range) }
                step.rollout = step.rollout ?? Rollout(range: keyNode.range)
                step.rollout?.batch = share
            }
        case .pause:
            keys.rollout.append(keyNode)
            step.rollout = step.rollout ?? Rollout(range: keyNode.range)
            step.rollout?.pause = context.duration(value) ?? 0
        case .maxFailures:
            keys.rollout.append(keyNode)
            if let share = context.share(value, what: "a number of failed nodes") {
                step.rollout = step.rollout ?? Rollout(range: keyNode.range)
                step.rollout?.maxFailures = share
            }
        case .onFailure: step.onFailure = decodeSteps(value, phase: phase, context: &context)
        }
    }

    /// `cache:` reuses a command's recorded output: only for read-only commands, never for a step that
    /// changes the node (its effect would silently not happen).
    private static func checkCache(_ step: Step, at range: SourceRange, context: inout DecodingContext) {
        if step.destructive {
            context.report(
                .planCacheDestructive, "step '\(step.id)' is destructive and cannot be cached; remove 'cache' or 'destructive'",
                at: range)
        } else if !step.action.isCommand || step.action.movesFiles {
            context.report(.planCacheNotCommand, "'cache' reuses a command's output; step '\(step.id)' runs no command", at: range)
        } else if let seconds = step.cache, seconds <= 0 {
            context.report(.planType, "cache must be a positive duration", at: range)
        }
    }

    /// Ids are used in `needs:` and in `steps.ID` paths, so they stay simple words.
    static func isValidID(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F || b == 0x2D
        }
    }
}
