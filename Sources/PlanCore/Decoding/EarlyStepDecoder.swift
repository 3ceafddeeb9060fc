import PlanYAML

/// Decodes a large plan's steps while libyaml, on the other thread, is still reading the rest of the file.
///
/// The composer offers each finished item of a phase list (`operations: {NAME: {PHASE: [steps]}}`) and calls
/// back while it waits for events; each call decodes one offered step, as `StepDecoder.decodeStep` would later,
/// with diagnostics of its own. The lists look their items up here by phase and place when they are decoded;
/// an item not reached in time, or never offered (an alias, a scalar, an item of a list that is not a phase),
/// is decoded then as usual. Decoding is a function of the item alone, so both ways give the same steps and
/// diagnostics in the same order.
final class EarlyStepDecoder: ComposeWatcher {
    let path: [String?] = ["operations", nil, nil]
    private let file: String
    private var offered: [(item: YAMLNode, phase: Phase)] = []
    private var next = 0
    private(set) var decoded = EarlySteps()

    init(file: String) {
        self.file = file
    }

    func offer(_ item: YAMLNode, keys: [String]) {
        guard let phase = Phase(rawValue: keys[2]) else { return }
        offered.append((item, phase))
    }

    func workWhileWaiting() -> Bool {
        guard next < offered.count else { return false }
        let (item, phase) = offered[next]
        next += 1
        var context = DecodingContext(file: file)
        let step = StepDecoder.decodeStep(item, phase: phase, context: &context)
        decoded.table[EarlySteps.Key(phase: phase, range: item.range)] = EarlySteps.Decoded(
            step: step, diagnostics: context.diagnostics)
        return true
    }
}

/// Steps decoded while their plan was still being read, by phase and place in the file.
struct EarlySteps: Sendable {
    struct Key: Hashable {
        var phase: Phase
        var range: SourceRange
    }

    struct Decoded {
        var step: Step?
        var diagnostics: [Diagnostic]
    }

    fileprivate(set) var table: [Key: Decoded] = [:]

    /// The item's step and diagnostics if it was decoded early. An alias's copy is never looked up: it has
    /// the place of its anchor, whose own entry would point a type error at the anchor rather than the alias.
    func lookUp(_ item: YAMLNode, phase: Phase) -> Decoded? {
        guard !table.isEmpty, item.aliasRange == nil else { return nil }
        return table[Key(phase: phase, range: item.range)]
    }
}
