import PlanCore
import PlanTestSupport
import Testing

/// `copy:` and `fetch:` as validate sees them: the source file next to the plan, absolute node paths,
/// octal modes, `verify` naming `{path}`, every problem at its place, with a did-you-mean where one fits.
@Suite struct FileActionDecoderTests {
    /// A plan file placed in the fixtures directory, so `src: files/app.conf` resolves next to it.
    static let planFile = Fixtures.directory + "/copy-plan.yaml"

    static func plan(_ steps: String) -> String {
        "planrun: 1\noperations:\n  op:\n    execute:\n" + steps
    }

    static let fixtures: [MarkedFixture] = [
        MarkedFixture(name: "missing source, with the closest file", text: plan("""
                  - id: c
                    copy: { src: 1️⃣files/app.cnf, dest: /etc/app.conf }
            """), ids: [.planCopySource]),
        MarkedFixture(name: "relative dest", text: plan("""
                  - id: c
                    copy: { src: files/app.conf, dest: 1️⃣etc/app.conf }
            """), ids: [.planFilePath]),
        MarkedFixture(name: "mode not octal", text: plan("""
                  - id: c
                    copy: { content: x, dest: /etc/x, mode: 1️⃣"0986" }
            """), ids: [.planCopyMode]),
        MarkedFixture(name: "verify without {path}", text: plan("""
                  - id: c
                    copy: { content: x, dest: /etc/x, verify: 1️⃣nginx -t }
            """), ids: [.planCopyVerify]),
        MarkedFixture(name: "src and content", text: plan("""
                  - id: c
                    copy: { src: files/app.conf, 1️⃣content: x, dest: /etc/x }
            """), ids: [.planCopySource]),
        MarkedFixture(name: "unknown copy key", text: plan("""
                  - id: c
                    copy: { content: x, dest: /etc/x, 1️⃣mdoe: "0644" }
            """), ids: [.planUnknownKey]),
        MarkedFixture(name: "copy without dest", text: plan("""
                  - id: c
                    copy: 1️⃣{ content: x }
            """), ids: [.planMissingKey]),
        MarkedFixture(name: "fetch from a relative path", text: plan("""
                  - id: f
                    fetch: { src: 1️⃣var/log/app.log, dest: out/app.log }
            """), ids: [.planFilePath]),
        MarkedFixture(name: "copy and run in one step", text: plan("""
                  - id: c
                    run: echo
                    1️⃣copy: { content: x, dest: /etc/x }
            """), ids: [.planStepAction]),
        MarkedFixture(name: "changed_when on an assert", text: plan("""
                  - id: c
                    assert: ${{ true }}
                    changed_when: 1️⃣${{ false }}
            """), ids: [.planStepAction]),
        MarkedFixture(name: "unknown name in changed_when", text: plan("""
                  - id: c
                    run: echo
                    changed_when: ${{ 1️⃣nodez.x }}
            """), ids: [.exprUnknownName]),
    ]

    @Test(arguments: fixtures)
    func diagnosticPointsAtTheMarker(_ fixture: MarkedFixture) {
        let source = MarkedSource(fixture.text)
        let (_, diagnostics) = diagnose(source.text, file: Self.planFile)
        let markers = MarkedSource.markers.filter { source.locations[$0] != nil }
        let expected = zip(fixture.ids, markers).map { "\($0.0)@\(source[$0.1])" }
        #expect(errorPlaces(diagnostics).sorted() == expected.sorted(), "\(diagnostics.map(\.summary))")
    }

    @Test func aMissingSourceSuggestsTheFileBesideIt() {
        let (_, diagnostics) = diagnose(Self.plan("""
                  - id: c
                    copy: { src: files/app.cnf, dest: /etc/app.conf }
            """), file: Self.planFile)
        #expect(diagnostics.first?.message.contains("did you mean 'files/app.conf'?") == true, "\(diagnostics.map(\.summary))")
        #expect(diagnostics.first?.fixIt == "files/app.conf")
    }

    @Test func aTemplateFileIsCheckedWhereItsExpressionsAre() throws {
        let (_, diagnostics) = diagnose(Self.plan("""
                  - id: c
                    copy: { src: files/bad.tmpl, template: true, dest: /etc/app.conf }
            """), file: Self.planFile)
        let problem = try #require(diagnostics.first { $0.id == .exprUnknownName }, "\(diagnostics.map(\.summary))")
        #expect(problem.file == Fixtures.directory + "/files/bad.tmpl")
        #expect(problem.range.start.line == 3)
        #expect(problem.range.start.column == 7)
        #expect(problem.message.contains("inputs"))
        // Without template: true the same file is copied as it is, and nothing in it is read as an expression.
        let (_, plain) = diagnose(Self.plan("""
                  - id: c
                    copy: { src: files/bad.tmpl, dest: /etc/app.conf }
            """), file: Self.planFile)
        #expect(plain.filter { $0.severity == .error }.isEmpty)
    }

    @Test func aCleanCopyAndFetchDecode() throws {
        let (plan, diagnostics) = diagnose(Self.plan("""
                  - id: c
                    copy:
                      src: files/app.conf
                      template: true
                      dest: /etc/app/${{ node.name }}.conf
                      mode: "0640"
                      owner: root
                      group: adm
                      backup: true
                      verify: grep -q listen {path}
                  - id: f
                    fetch: { src: /var/log/app.log, dest: "out/${{ node.name }}/app.log" }
                    changed_when: ${{ false }}
            """), file: Self.planFile)
        #expect(diagnostics.filter { $0.severity == .error }.isEmpty, "\(diagnostics.map(\.summary))")
        let steps = try #require(plan?.operations.first?.steps)
        guard case .copy(let copy) = steps[0].action, case .file(let path, let resolved) = copy.source else {
            Issue.record("not a copy from a file: \(steps[0].action)")
            return
        }
        #expect(path == "files/app.conf")
        #expect(resolved == Fixtures.directory + "/files/app.conf")
        #expect(copy.template && copy.backup && copy.mode == "0640")
        #expect(copy.dest.source == "/etc/app/${{ node.name }}.conf")
        guard case .fetch(let fetch) = steps[1].action else {
            Issue.record("not a fetch: \(steps[1].action)")
            return
        }
        #expect(fetch.dest.source == "out/${{ node.name }}/app.log")
        #expect(steps[1].changedWhen?.source == "${{ false }}")
    }
}
