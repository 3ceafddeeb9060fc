import PlanYAML

/// Decodes a large plan's steps while libyaml, on the other thread, is still reading the rest of the file.
///
/// The composer offers each finished item of a phase list (`operations: {NAME: {PHASE: [steps]}}`) and calls
/// back while it waits for events; each call decodes one offered step, as `StepDecoder.decodeStep` would
/// later, with diagnostics of its own. Items are decoded in file order, so what is ready when a list is
/// decoded is the first part of it, which that list takes whole; the rest is decoded then as usual. Decoding
/// is a function of the item alone, so both ways give the same steps and diagnostics in the same order.
final class EarlyStepDecoder: ComposeWatcher {
    let path: [String?] = ["operations", nil, nil]
    private let file: String
    private var offered: [(item: YAMLNode, list: EarlySteps.List)] = []
    private var next = 0
    private var decoded = EarlySteps()

    init(file: String) {
        self.file = file
    }

    func offer(_ item: YAMLNode, keys: [String], list: SourceLocation) {
        guard let phase = Phase(rawValue: keys[2]) else { return }
        offered.append((item, EarlySteps.List(phase: phase, start: list)))
    }

    /// What was decoded, handed over: kept here too, each list would be copied when it is taken and grown.
    func finish() -> EarlySteps {
        defer { decoded = EarlySteps() }
        return decoded
    }

    func workWhileWaiting() -> Bool {
        guard next < offered.count else { return false }
        let (item, list) = offered[next]
        next += 1
        var context = DecodingContext(file: file)
        let step = StepDecoder.decodeStep(item, phase: list.phase, context: &context)
        decoded.add(step, diagnostics: context.diagnostics, item: item.range, to: list)
        return true
    }
}

/// The first items of phase lists, decoded while their plan was still being read.
struct EarlySteps: Sendable {
    /// A phase list, by its phase and where it starts in the file.
    struct List: Hashable, Sendable {
        var phase: Phase
        var start: SourceLocation
    }

    /// The decoded first items of one list: their places, steps and diagnostics, and after each item how
    /// many steps and diagnostics there were (an item without a usable id gives no step).
    private struct Prefix: Sendable {
        var items: [SourceRange] = []
        var steps: [Step] = []
        var diagnostics: [Diagnostic] = []
        var ends: [(steps: Int, diagnostics: Int)] = []

        /// `step` is consumed: moved into the list rather than copied field by field.
        mutating func append(_ step: consuming Step?, diagnostics more: [Diagnostic], item: SourceRange) {
            items.append(item)
            if let step = consume step { steps.append(step) }
            diagnostics += more
            ends.append((steps.count, diagnostics.count))
        }
    }

    private var lists: [List: Prefix] = [:]

    mutating func add(_ step: consuming Step?, diagnostics: [Diagnostic], item: SourceRange, to list: List) {
        lists[list, default: Prefix()].append(step, diagnostics: diagnostics, item: item)
    }

    /// The steps and diagnostics of the first `count` items of `list` (whose items are `items`), taken out
    /// of here; nil when none were decoded early. Items count while they stand where the offered ones stood:
    /// an item never offered (an alias, a plain scalar) ends the part taken. A list that an alias copies has
    /// its anchor's items, so whichever of the two is decoded first may take them.
    mutating func take(_ list: YAMLNode, items: [YAMLNode], phase: Phase)
        -> (count: Int, steps: [Step], diagnostics: [Diagnostic])?
    {
        guard !lists.isEmpty, let prefix = lists.removeValue(forKey: List(phase: phase, start: list.range.start))
        else { return nil }
        var count = 0
        while count < prefix.items.count, count < items.count, items[count].range == prefix.items[count] {
            count += 1
        }
        guard count > 0 else { return nil }
        if count == prefix.items.count { return (count, prefix.steps, prefix.diagnostics) }
        let end = prefix.ends[count - 1]
        return (count, Array(prefix.steps[..<end.steps]), Array(prefix.diagnostics[..<end.diagnostics]))
    }
}
