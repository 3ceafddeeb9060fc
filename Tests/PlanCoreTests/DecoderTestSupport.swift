import PlanCore
import PlanTestSupport

/// Decodes and lints marked fixture text the way `planrun validate` does.
func diagnose(_ text: String, file: String = "plans/x.yaml") -> (plan: Plan?, diagnostics: [Diagnostic]) {
    diagnose(bytes: Array(text.utf8), file: file)
}

func diagnose(bytes: [UInt8], file: String = "plans/x.yaml") -> (plan: Plan?, diagnostics: [Diagnostic]) {
    var (plan, diagnostics) = PlanDecoder.decode(bytes: bytes, file: file)
    if let plan { diagnostics += PlanLinter.lint(plan) }
    return (plan, diagnostics)
}

/// Decodes text that must be a clean plan and returns it.
func cleanPlan(_ text: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> Plan? {
    let (plan, diagnostics) = diagnose(text)
    let errors = diagnostics.filter { $0.severity == .error }
    #expect(errors.isEmpty, "unexpected: \(errors.map(\.summary))", sourceLocation: sourceLocation)
    return plan
}

/// `(id, line:column)` of every error, for comparing with a fixture's markers.
func errorPlaces(_ diagnostics: [Diagnostic]) -> [String] {
    diagnostics.filter { $0.severity == .error }.map { "\($0.id)@\($0.range.start)" }
}

import Testing

/// Files under `Tests/PlanCoreTests/Fixtures`, found from this source file's place.
enum Fixtures {
    static var directory: String {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast()
        return parts.joined(separator: "/") + "/Fixtures"
    }

    static func text(_ relative: String) -> String {
        String(decoding: SourceFile.read(directory + "/" + relative) ?? [], as: UTF8.self)
    }
}
