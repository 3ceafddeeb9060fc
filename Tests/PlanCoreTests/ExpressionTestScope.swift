import PlanCore

/// The scope the expression tests evaluate in: inputs, node captures, step results, the current node, vars.
enum ExpressionTestScope {
    static let json = """
        {
          "inputs": {
            "target_node": "all", "timeout": 60, "force": false, "verify": true, "message": "x; rm -rf /",
            "names": ["b", "a", "b", "c"], "ratio": 1.5, "empty": "", "count": "42\\n", "key-with-dash": 7,
            "operation": "status", "nothing": null, "list": [1, 2.0, 3]
          },
          "nodes": {
            "genesis": { "block_height": 100, "version": "1.2", "online": true },
            "follower": { "block_height": 100, "online": true },
            "web-1": { "block_height": 99.0, "online": false }
          },
          "steps": {
            "reach": {
              "genesis": { "ok": true, "exit_code": 0, "stdout": "  active\\n" },
              "follower": { "ok": false, "exit_code": 3, "stdout": "" }
            },
            "height": { "genesis": { "ok": true, "exit_code": 0, "stdout": "100" } }
          },
          "node": { "name": "genesis", "vars": { "cli": "/opt/aitbc/aitbc-cli" } },
          "vars": { "retries": 3, "nested": { "a": [ { "b": "deep" } ] } }
        }
        """

    static let scope: Value.Object = {
        guard case .object(let object) = try! Value.parseJSON(json) else { fatalError("scope is an object") }
        return object
    }()

    static func value(_ json: String) -> Value { try! Value.parseJSON(json) }

    /// `text` parsed as a plain scalar starting at line 1, column 1.
    static func parse(_ text: String) -> (Template, [Diagnostic]) {
        Template.parse(text, at: SourceRange(line: 1, column: 1))
    }
}
