/// The fields of a step that few steps set, kept out of line.
///
/// Inline they were half of a step's 696 bytes: a 50,000-step plan's list of steps was 35 MB, more than the
/// machine's last-level cache, so that every lint rule's pass over the steps read them from memory. A step that
/// sets none of them carries a nil reference; one that does, a box with all of them, replaced on a write.
extension Step {
    /// An immutable box: a write makes a new one, so steps stay values.
    final class Rare: Sendable, Equatable {
        struct Fields: Sendable, Equatable {
            var until: Template? = nil
            var changedWhen: Template? = nil
            var fallbackNode: Template? = nil
            var recommend: Template? = nil
            var cache: Double? = nil
            var cacheRange: SourceRange? = nil
            var forEach: ValueTemplate? = nil
            var parallel = false
            var rollout: Rollout? = nil
            var onFailure: [Step] = []
            var uses: StepUse? = nil
            var origin: StepOrigin? = nil
        }

        let fields: Fields

        init(_ fields: Fields) { self.fields = fields }

        static func == (a: Rare, b: Rare) -> Bool { a === b || a.fields == b.fields }
    }

    /// The rare fields, or their defaults; set, a box only when one differs from its default.
    private var rareFields: Rare.Fields {
        get { rare?.fields ?? Rare.Fields() }
        set { rare = newValue == Rare.Fields() ? nil : Rare(newValue) }
    }

    /// `until:`: a succeeded step is run again (every `delay`) until this holds, within its timeout.
    public var until: Template? {
        get { rare?.fields.until }
        set { rareFields.until = newValue }
    }

    /// Whether a succeeded node step changed something; without it a command step counts as changed, and
    /// `copy`/`fetch` say themselves.
    public var changedWhen: Template? {
        get { rare?.fields.changedWhen }
        set { rareFields.changedWhen = newValue }
    }

    /// `fallback_node:`: the node the step runs on instead when it fails on its own.
    public var fallbackNode: Template? {
        get { rare?.fields.fallbackNode }
        set { rareFields.fallbackNode = newValue }
    }

    /// `recommend:`: a failed assert's recommendation in the result.
    public var recommend: Template? {
        get { rare?.fields.recommend }
        set { rareFields.recommend = newValue }
    }

    /// `cache: 30s`: seconds a recorded result of this read-only command step on the same node, with the same
    /// rendered command, may be reused instead of running it; nil runs it every time.
    public var cache: Double? {
        get { rare?.fields.cache }
        set { rareFields.cache = newValue }
    }

    /// Where the `cache:` key stands, for the diagnostics about it.
    public var cacheRange: SourceRange? {
        get { rare?.fields.cacheRange }
        set { rareFields.cacheRange = newValue }
    }

    /// `for_each:`: a list, or a template that yields one; the step runs once per item (per node).
    public var forEach: ValueTemplate? {
        get { rare?.fields.forEach }
        set { rareFields.forEach = newValue }
    }

    /// `parallel: true`: the items of `for_each` run together (within `max_parallel`) rather than in order.
    public var parallel: Bool {
        get { rare?.fields.parallel ?? false }
        set { rareFields.parallel = newValue }
    }

    /// `batch:`, `pause:` and `max_failures:` of a group.
    public var rollout: Rollout? {
        get { rare?.fields.rollout }
        set { rareFields.rollout = newValue }
    }

    /// `on_failure:`: steps run on the node where this step failed; unlike `fallback:`, the step stays failed.
    public var onFailure: [Step] {
        get { rare?.fields.onFailure ?? [] }
        set { rareFields.onFailure = newValue }
    }

    /// `uses:` with `with:`: the step file whose steps this group runs.
    public var uses: StepUse? {
        get { rare?.fields.uses }
        set { rareFields.uses = newValue }
    }

    /// For a step of a used step file: that file and where it is used, so that a rule that checks it in the
    /// using plan (its target, the captures before it) points into the file. Nil for the plan's own steps.
    public var origin: StepOrigin? {
        get { rare?.fields.origin }
        set { rareFields.origin = newValue }
    }
}
