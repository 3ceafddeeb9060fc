import PlanYAML

/// Fixture text with markers (`1️⃣`, `2️⃣`, …) where diagnostics must point, as swift-format writes its tests.
///
/// The markers are removed; `locations` maps each marker to the 1-based line and column (in Unicode scalars,
/// as libyaml counts) of the character that followed it.
public struct MarkedSource: Sendable {
    public var text: String
    public var locations: [String: SourceLocation]

    public static let markers = ["1️⃣", "2️⃣", "3️⃣", "4️⃣", "5️⃣", "6️⃣", "7️⃣", "8️⃣", "9️⃣"]

    public init(_ marked: String) {
        var text = ""
        var locations: [String: SourceLocation] = [:]
        var line = 1
        var column = 1
        var rest = Substring(marked)
        outer: while let ch = rest.first {
            for marker in Self.markers where rest.hasPrefix(marker) {
                locations[marker] = SourceLocation(line: line, column: column)
                rest = rest.dropFirst(marker.count)
                continue outer
            }
            text.append(ch)
            if ch == "\n" || ch == "\r\n" {
                line += 1
                column = 1
            } else {
                column += ch.unicodeScalars.count
            }
            rest = rest.dropFirst()
        }
        self.text = text
        self.locations = locations
    }

    public subscript(marker: String) -> SourceLocation { locations[marker]! }
    public var bytes: [UInt8] { Array(text.utf8) }
}
