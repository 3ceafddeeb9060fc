import PlanYAML

/// An inputs file (`--inputs FILE`, or `-` for stdin): a JSON object or a YAML mapping of input names.
///
/// JSON is read by the same composer as YAML so that every value keeps its place for diagnostics; the seed's
/// Input JSON (`{"operation": "status", "timeout": 60, "force": false}`) works as it is.
public enum InputFile {
    public static func read(bytes: [UInt8], file: String) -> ([(key: String, value: RawInput)], [Diagnostic]) {
        let (root, problems) = YAMLComposer.compose(bytes, file: file)
        var diagnostics = problems
        guard let root, !root.isNull else { return ([], diagnostics) }
        guard let pairs = root.mapping else {
            diagnostics.append(
                Diagnostic(
                    .inputType, "expected an object of input names, found \(root.kindDescription)", file: file,
                    at: root.range))
            return ([], diagnostics)
        }
        var out: [(key: String, value: RawInput)] = []
        for pair in pairs {
            guard let key = pair.key.scalar else {
                diagnostics.append(Diagnostic(.inputType, "expected an input name", file: file, at: pair.key.range))
                continue
            }
            out.append((key, RawInput(.value(ScalarTyping.value(pair.value)), file: file, range: pair.value.range, keyRange: pair.key.range)))
        }
        return (out, diagnostics)
    }
}
