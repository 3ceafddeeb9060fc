import PlanCore
import PlanTestSupport
import Testing

/// Hostile and odd files end in a located diagnostic, fast, never a crash or a hang.
@Suite struct DecoderLimitTests {
    @Test func emptyFileIsOneLocatedError() {
        for text in ["", "\n\n", "# only a comment\n"] {
            let (plan, diagnostics) = diagnose(text)
            #expect(plan == nil)
            #expect(errorPlaces(diagnostics) == ["plan.empty@1:1"])
        }
    }

    @Test func binaryGarbageIsAnEncodingOrSyntaxError() {
        let garbage: [UInt8] = [0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x01, 0x00, 0xFF, 0xFE, 0x00, 0x9C]
        let (plan, diagnostics) = diagnose(bytes: garbage)
        #expect(plan == nil)
        let errors = diagnostics.filter { $0.severity == .error }
        #expect(errors.count == 1)
        #expect([DiagnosticID.yamlEncoding, .yamlSyntax].contains { $0 == errors.first?.id })
        #expect(errors.first?.range.start.line == 1)
    }

    @Test func billionLaughsIsRejectedFast() {
        var text = "planrun: 1\na0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for i in 1...9 {
            let refs = Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ")
            text += "a\(i): &a\(i) [\(refs)]\n"
        }
        let clock = ContinuousClock()
        let start = clock.now
        let (plan, diagnostics) = diagnose(text)
        let elapsed = clock.now - start
        #expect(plan == nil)
        #expect(diagnostics.map(\.id) == [.yamlAliasBudget])
        #expect(diagnostics.first?.range.start.line ?? 0 > 1)
        #expect(elapsed < .seconds(1))
    }

    @Test func hundredThousandDeepFlowNestingIsRejectedFast() {
        let text = "planrun: 1\noperations: " + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "\n"
        let clock = ContinuousClock()
        let start = clock.now
        let (plan, diagnostics) = diagnose(text)
        let elapsed = clock.now - start
        #expect(plan == nil)
        #expect(diagnostics.map(\.id) == [.yamlTooDeep])
        #expect(diagnostics.first?.range.start.line == 2)
        #expect(elapsed < .seconds(1))
    }

    /// NEL (U+0085) ends a line as libyaml counts, so the typo on the seventh line is reported there.
    @Test func nelLineBreaksCountAsLines() {
        let lines = ["planrun: 1", "operations:", "  op:", "    execute:", "      - id: a", "        run: echo", "        timout: 1s"]
        let (_, diagnostics) = diagnose(lines.joined(separator: "\u{85}") + "\u{85}")
        #expect(errorPlaces(diagnostics) == ["plan.unknown-key@7:9"])
        // LS and PS too, mixed with CRLF.
        let mixed = lines[0] + "\r\n" + lines[1] + "\u{2028}" + lines[2] + "\u{2029}" + lines[3...].joined(separator: "\n")
        #expect(errorPlaces(diagnose(mixed).diagnostics) == ["plan.unknown-key@7:9"])
    }

    @Test func topLevelListIsATypeError() {
        #expect(errorPlaces(diagnose("- a\n- b\n").diagnostics) == ["plan.type@1:1"])
    }

    @Test func everyProblemIsReportedInOnePass() {
        let source = MarkedSource("""
            planrun: 1
            1️⃣nmae: x
            operations:
              op:
                execute:
                  - id: a
                    run: echo
                    2️⃣retires: 2
                    timeout: 3️⃣soon
                  - id: b
                    needs: [4️⃣c]
                    run: echo
            """)
        let places = errorPlaces(diagnose(source.text).diagnostics)
        #expect(places == [
            "plan.unknown-key@\(source["1️⃣"])", "plan.unknown-key@\(source["2️⃣"])", "plan.type@\(source["3️⃣"])",
            "plan.unknown-needs@\(source["4️⃣"])",
        ])
    }
}
