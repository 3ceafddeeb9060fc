import Foundation
import PlanCore
import PlanTestSupport
import Testing

/// `schemas/plan.schema.json` agrees with the decoder, checked by a real validator (`check-jsonschema`).
///
/// The validator must be installed (CI installs it with pip): a missing validator fails these tests.
@Suite(.serialized) struct SchemaTests {
    static var root: String { SchemaCheck.packageRoot }

    static let schema = "schemas/plan.schema.json"

    static var goodFiles: [String] {
        SourceFile.plans(in: root + "/plans") + SourceFile.plans(in: Fixtures.directory + "/good")
    }

    @Test func validatorIsInstalled() async throws {
        let version = try await SchemaCheck.run(["--version"])
        #expect(version.status == 0)
    }

    @Test func schemaIsValidJSON() throws {
        let data = try #require(FileManager.default.contents(atPath: Self.root + "/" + Self.schema))
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        #expect(object?["$schema"] as? String == "https://json-schema.org/draft/2020-12/schema")
    }

    @Test func goodPlansAndFixturesPass() async throws {
        let files = Self.goodFiles
        #expect(files.count >= 3)
        let result = try await SchemaCheck.validate(files, schema: Self.schema)
        #expect(result.status == 0, "\(result.output)")
        // And planrun agrees.
        for file in files {
            let (plan, diagnostics) = PlanDecoder.decode(path: file)
            let all = diagnostics + (plan.map(PlanLinter.lint) ?? [])
            #expect(!all.hasErrors, "\(file): \(all.map(\.summary))")
        }
    }

    @Test(arguments: [
        ("unknown-key.yaml", .planUnknownKey), ("bad-version.yaml", .planVersion),
        ("two-actions.yaml", .planStepAction), ("yes-boolean.yaml", .planType),
    ] as [(String, DiagnosticID)])
    func badFixturesFail(_ name: String, _ id: DiagnosticID) async throws {
        let file = Fixtures.directory + "/bad/" + name
        let result = try await SchemaCheck.validate([file], schema: Self.schema)
        #expect(result.status == 1, "\(result.output)")
        let (_, diagnostics) = PlanDecoder.decode(path: file)
        #expect(diagnostics.filter { $0.severity == .error }.map(\.id) == [id])
    }
}
