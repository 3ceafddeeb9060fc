import Foundation
import PlanCore
import Testing

/// `schemas/plan.schema.json` agrees with the decoder, checked by a real validator (`check-jsonschema`).
///
/// The validator must be installed (CI installs it with pip): a missing validator fails these tests.
@Suite(.serialized) struct SchemaTests {
    static var root: String {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/")
    }

    static var schema: String { root + "/schemas/plan.schema.json" }

    /// Runs `check-jsonschema --schemafile schemas/plan.schema.json FILE…`; nil when it cannot be started.
    static func validate(_ files: [String]) -> (status: Int32, output: String)? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["check-jsonschema", "--schemafile", schema] + files
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do { try process.run() } catch { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let output = String(decoding: data, as: UTF8.self)
        // env exits 127 when the command is not on PATH.
        if process.terminationStatus == 127 { return nil }
        return (process.terminationStatus, output)
    }

    static var goodFiles: [String] {
        SourceFile.plans(in: root + "/plans") + SourceFile.plans(in: Fixtures.directory + "/good")
    }

    @Test func validatorIsInstalled() {
        let result = Self.validate(["--version"])
        #expect(result != nil, "check-jsonschema is not installed: pip install check-jsonschema")
    }

    @Test func schemaIsValidJSON() throws {
        let data = try #require(FileManager.default.contents(atPath: Self.schema))
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        #expect(object?["$schema"] as? String == "https://json-schema.org/draft/2020-12/schema")
    }

    @Test func goodPlansAndFixturesPass() throws {
        let files = Self.goodFiles
        #expect(files.count >= 3)
        let result = try #require(Self.validate(files), "check-jsonschema is not installed: pip install check-jsonschema")
        #expect(result.status == 0, "\(result.output)")
        // And planrun agrees.
        for file in files {
            let (plan, diagnostics) = PlanDecoder.decode(path: file)
            let all = diagnostics + (plan.map(PlanLinter.lint) ?? [])
            #expect(!all.hasErrors, "\(file): \(all.map(\.summary))")
        }
    }

    @Test(arguments: [
        ("unknown-key.yaml", "plan.unknown-key"), ("bad-version.yaml", "plan.version"),
        ("two-actions.yaml", "plan.step-action"), ("yes-boolean.yaml", "plan.type"),
    ])
    func badFixturesFail(_ name: String, _ id: String) throws {
        let file = Fixtures.directory + "/bad/" + name
        let result = try #require(Self.validate([file]), "check-jsonschema is not installed: pip install check-jsonschema")
        #expect(result.status == 1, "\(result.output)")
        let (_, diagnostics) = PlanDecoder.decode(path: file)
        #expect(diagnostics.filter { $0.severity == .error }.map(\.id) == [id])
    }
}
