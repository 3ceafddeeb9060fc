import PlanYAML

extension StepDecoder {
    static let conversions = Capture.Conversion.allCases.map { ($0.rawValue, $0) }

    /// `capture: { NAME: { stdout: true | json: a.b.0 | regex: '…' | lines: true, as: int|float|bool|string } }`.
    static func decodeCaptures(_ node: YAMLNode, context: inout DecodingContext) -> [Capture] {
        guard let entries = context.mapping(node, expected: "a mapping of capture names") else { return [] }
        var captures: [Capture] = []
        for (name, nameNode, sourceNode) in entries {
            guard let pairs = context.mapping(sourceNode, expected: "a capture source such as { stdout: true }") else {
                continue
            }
            var source: Capture.Source?
            var sourceKey: YAMLNode?
            var sourceRange: SourceRange?
            var conversion: Capture.Conversion?
            for (key, keyNode, value) in pairs {
                var found: Capture.Source?
                guard let field = CaptureKey(rawValue: key) else {
                    context.unknownKey(key, at: keyNode, among: CaptureKey.self, in: "capture '\(name)'")
                    continue
                }
                switch field {
                case .as:
                    conversion = context.word(value, among: conversions, what: "conversion")
                    continue
                case .stdout, .lines:
                    guard let on = context.bool(value) else { break }
                    if on {
                        found = field == .stdout ? .stdout : .lines
                    } else {
                        context.report(
                            .planType, "'\(key): false' captures nothing; write '\(key): true' or leave the capture out",
                            at: value.range, fixIt: "true")
                    }
                case .json:
                    if let path = context.string(value) {
                        found = .json(path.isEmpty ? [] : path.split(separator: ".", omittingEmptySubsequences: false).map(String.init))
                    }
                case .regex:
                    if let pattern = context.string(value) { found = .regex(pattern) }
                }
                if let first = sourceKey {
                    context.report(
                        .planCaptureSource, "capture '\(name)' has both '\(first.scalar ?? "")' and '\(key)'; give one source",
                        at: keyNode.range)
                    continue
                }
                sourceKey = keyNode
                sourceRange = value.range
                source = found
            }
            if sourceKey == nil {
                context.report(
                    .planCaptureSource, "capture '\(name)' needs a source: stdout, json, regex or lines", at: nameNode.range)
            }
            if let source {
                captures.append(
                    Capture(name: name, source: source, conversion: conversion, range: nameNode.range, sourceRange: sourceRange))
            }
        }
        return captures
    }

    /// `errors: [{ match, exit_code, kind, hint }]`.
    static func decodeErrorRules(_ node: YAMLNode, context: inout DecodingContext) -> [ErrorRule] {
        guard let items = node.sequence else {
            context.typeError(expected: "a list of error rules", found: node)
            return []
        }
        var rules: [ErrorRule] = []
        rules.reserveCapacity(items.count)
        for item in items {
            guard let pairs = context.mapping(item, expected: "an error rule { match, exit_code, kind, hint }") else { continue }
            var rule = ErrorRule(kind: "", range: item.range)
            for (key, keyNode, value) in pairs {
                guard let field = ErrorRuleKey(rawValue: key) else {
                    context.unknownKey(key, at: keyNode, among: ErrorRuleKey.self, in: "an error rule")
                    continue
                }
                switch field {
                case .match:
                    rule.match = context.string(value)
                    rule.matchRange = value.range
                case .exitCode:
                    guard let code = context.int(value, expected: "an exit code") else { continue }
                    if (0...255).contains(code) { rule.exitCode = code } else {
                        context.report(.planOutOfRange, "an exit code is 0 to 255, found \(code)", at: value.range)
                    }
                case .kind: rule.kind = context.string(value) ?? ""
                case .hint: rule.hint = context.string(value)
                }
            }
            if rule.kind.isEmpty {
                context.missingKey("kind", in: "an error rule", at: SourceRange(start: item.range.start, end: item.range.start))
                continue
            }
            rules.append(rule)
        }
        return rules
    }
}
