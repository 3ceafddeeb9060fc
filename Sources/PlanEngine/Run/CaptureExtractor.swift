/// Takes `capture:` values out of a command's stdout. A capture that cannot be made is an error with the
/// reason, never a silent null.
enum CaptureExtractor {
    struct Failure: Error {
        var message: String
    }

    static func extract(_ captures: [Capture], from stdout: String) -> Result<Value.Object, Failure> {
        var out = Value.Object()
        var parsedJSON: Value?
        for capture in captures {
            do {
                if stdout.hasPrefix(OutputTail.truncationMark), capture.needsWholeOutput {
                    let dropped = stdout.dropFirst(OutputTail.truncationMark.count).prefix { $0 != " " }
                    throw Failure(
                        message: "capture '\(capture.name)': stdout exceeded the output limit (\(dropped) bytes were dropped), and this capture needs all of it")
                }
                var raw: Value
                switch capture.source {
                case .stdout:
                    raw = .string(stdout.trimmingWhitespace)
                case .lines:
                    raw = .array(stdout.split(whereSeparator: \.isNewline)
                        .map { $0.trimmingWhitespace }
                        .filter { !$0.isEmpty }
                        .map(Value.string))
                case .json(let path):
                    if parsedJSON == nil {
                        do { parsedJSON = try Value.parseJSON(stdout) } catch {
                            throw Failure(message: "capture '\(capture.name)': stdout is not JSON: \(error.message)")
                        }
                    }
                    raw = try lookup(path, in: parsedJSON!, capture: capture.name)
                case .regex(let pattern):
                    raw = try firstGroup(pattern, in: stdout, capture: capture.name)
                }
                if let conversion = capture.conversion {
                    raw = try convert(raw, to: conversion, capture: capture.name)
                }
                out[capture.name] = raw
            } catch let failure as Failure {
                return .failure(failure)
            } catch {
                return .failure(Failure(message: "capture '\(capture.name)': \(error)"))
            }
        }
        return .success(out)
    }

    private static func lookup(_ path: [String], in value: Value, capture: String) throws -> Value {
        var current = value
        for (i, key) in path.enumerated() {
            switch current {
            case .object(let object):
                guard let next = object[key] else {
                    throw Failure(message: "capture '\(capture)': no key '\(path[...i].joined(separator: "."))' in the JSON output")
                }
                current = next
            case .array(let items):
                guard let index = Int(key), items.indices.contains(index) else {
                    throw Failure(message: "capture '\(capture)': no index '\(path[...i].joined(separator: "."))' in the JSON output")
                }
                current = items[index]
            default:
                throw Failure(message: "capture '\(capture)': '\(path[..<i].joined(separator: "."))' is a \(current.typeName), not an object")
            }
        }
        return current
    }

    private static func firstGroup(_ pattern: String, in text: String, capture: String) throws -> Value {
        let regex: BoundedRegex
        do { regex = try BoundedRegex(pattern) } catch {
            throw Failure(message: "capture '\(capture)': invalid regular expression '\(pattern)': \(error.reason)")
        }
        guard let found = regex.firstGroupText(in: text) else {
            throw Failure(message: "capture '\(capture)': no match for /\(pattern)/ in stdout")
        }
        guard let group = found else {
            throw Failure(message: "capture '\(capture)': the group of /\(pattern)/ did not take part in the match")
        }
        return .string(group)
    }

    static func convert(_ value: Value, to conversion: Capture.Conversion, capture: String) throws -> Value {
        func fail() -> Failure {
            Failure(message: "capture '\(capture)': cannot read \(value.jsonText()) as \(conversion.rawValue)")
        }
        switch (conversion, value) {
        case (.string, _): return .string(value.interpolationText)
        case (.int, .int): return value
        case (.int, .double(let d)):
            // Int(exactly:) is nil for fractions and for numbers beyond Int's range (a JSON 1e19): no trap.
            guard let i = Int(exactly: d) else { throw fail() }
            return .int(i)
        case (.int, .string(let s)):
            guard let i = Int(s.trimmingWhitespace) else { throw fail() }
            return .int(i)
        case (.float, .int(let i)): return .double(Double(i))
        case (.float, .double): return value
        case (.float, .string(let s)):
            guard let d = Double(s.trimmingWhitespace) else { throw fail() }
            return .double(d)
        case (.bool, .bool): return value
        case (.bool, .string(let s)):
            switch s.trimmingWhitespace {
            case "true": return .bool(true)
            case "false": return .bool(false)
            default: throw fail()
            }
        case (.int, .array(let items)), (.float, .array(let items)), (.bool, .array(let items)):
            return .array(try items.map { try convert($0, to: conversion, capture: capture) })
        default: throw fail()
        }
    }
}

extension Capture {
    /// A `stdout:`, `json:` or `lines:` capture reads the whole output; a `regex:` may find its match in the
    /// tail that was kept.
    fileprivate var needsWholeOutput: Bool {
        if case .regex = source { return false }
        return true
    }
}
