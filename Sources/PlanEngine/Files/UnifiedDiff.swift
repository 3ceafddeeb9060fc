/// A unified diff of two texts (`diff -u` style, three lines of context), for `--diff`.
///
/// Lines are matched with Myers' algorithm over what differs after the common head and tail are set
/// aside. Past `maxEdits` differing lines the texts count as wholly different: the diff is still correct,
/// only longer, and planrun never spends quadratic time or memory on a generated file.
enum UnifiedDiff {
    static let context = 3
    static let maxEdits = 1000

    enum Edit: Equatable {
        case same(Int, Int)
        case delete(Int)
        case insert(Int)
    }

    /// The hunks, or "" when the texts are equal.
    static func render(old: String, new: String, oldName: String, newName: String) -> String {
        let a = lines(old)
        let b = lines(new)
        let edits = diff(a, b)
        guard edits.contains(where: { if case .same = $0 { false } else { true } }) else { return "" }
        var out = "--- \(oldName)\n+++ \(newName)\n"
        var index = 0
        while index < edits.count {
            // The next change, with its context.
            guard let change = edits[index...].firstIndex(where: { if case .same = $0 { false } else { true } }) else { break }
            let start = max(index, change - context)
            var end = change
            var quiet = 0
            // A hunk ends where more than twice the context lies unchanged; it keeps the context's worth.
            while end < edits.count {
                if case .same = edits[end] { quiet += 1 } else { quiet = 0 }
                end += 1
                if quiet > 2 * context { break }
            }
            end -= max(0, quiet - context)
            out += hunk(edits[start..<end], a, b)
            index = end
        }
        return out
    }

    private static func hunk(_ edits: ArraySlice<Edit>, _ a: [Substring], _ b: [Substring]) -> String {
        var oldStart: Int?
        var newStart: Int?
        var oldCount = 0
        var newCount = 0
        var body = ""
        func line(_ prefix: String, _ text: Substring) {
            body += prefix + text.dropLast(text.hasSuffix("\n") ? 1 : 0) + "\n"
            if !text.hasSuffix("\n") { body += "\\ No newline at end of file\n" }
        }
        for edit in edits {
            switch edit {
            case .same(let i, let j):
                oldStart = oldStart ?? i
                newStart = newStart ?? j
                oldCount += 1
                newCount += 1
                line(" ", a[i])
            case .delete(let i):
                oldStart = oldStart ?? i
                oldCount += 1
                line("-", a[i])
            case .insert(let j):
                newStart = newStart ?? j
                newCount += 1
                line("+", b[j])
            }
        }
        func range(_ start: Int?, _ count: Int, fallback: Int) -> String {
            let first = count == 0 ? (start ?? fallback) : (start ?? fallback) + 1
            return count == 1 ? "\(first)" : "\(first),\(count)"
        }
        // An empty side names the line before it, as diff does.
        let oldFallback = edits.compactMap { if case .same(let i, _) = $0 { i } else { nil } }.first ?? 0
        let newFallback = edits.compactMap { if case .same(_, let j) = $0 { j } else { nil } }.first ?? 0
        return "@@ -\(range(oldStart, oldCount, fallback: oldFallback)) +\(range(newStart, newCount, fallback: newFallback)) @@\n" + body
    }

    /// Lines with their terminators (the last may have none).
    static func lines(_ text: String) -> [Substring] {
        var out: [Substring] = []
        var start = text.startIndex
        for index in text.indices where text[index] == "\n" {
            out.append(text[start...index])
            start = text.index(after: index)
        }
        if start < text.endIndex { out.append(text[start...]) }
        return out
    }

    /// The edit script turning `a` into `b`.
    static func diff(_ a: [Substring], _ b: [Substring]) -> [Edit] {
        var head = 0
        while head < a.count, head < b.count, a[head] == b[head] { head += 1 }
        var tail = 0
        while tail < a.count - head, tail < b.count - head, a[a.count - 1 - tail] == b[b.count - 1 - tail] { tail += 1 }
        var edits = (0..<head).map { Edit.same($0, $0) }
        let middle = myers(Array(a[head..<(a.count - tail)]), Array(b[head..<(b.count - tail)]))
            ?? (0..<(a.count - head - tail)).map { Edit.delete($0) } + (0..<(b.count - head - tail)).map { Edit.insert($0) }
        for edit in middle {
            switch edit {
            case .same(let i, let j): edits.append(.same(i + head, j + head))
            case .delete(let i): edits.append(.delete(i + head))
            case .insert(let j): edits.append(.insert(j + head))
            }
        }
        edits += (0..<tail).map { Edit.same(a.count - tail + $0, b.count - tail + $0) }
        return edits
    }

    /// Myers' greedy shortest edit script; nil past `maxEdits`.
    private static func myers(_ a: [Substring], _ b: [Substring]) -> [Edit]? {
        let n = a.count
        let m = b.count
        if n == 0 || m == 0 { return nil }
        let offset = n + m
        var v = [Int](repeating: 0, count: 2 * offset + 2)
        var trace: [[Int]] = []
        var found = false
        for d in 0...min(offset, maxEdits) {
            // Only the diagonals this round reads: memory grows with the edits squared, not with the file.
            trace.append(Array(v[(offset - d)...(offset + d)]))
            for k in stride(from: -d, through: d, by: 2) {
                var x = (k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1])) ? v[offset + k + 1] : v[offset + k - 1] + 1
                var y = x - k
                while x < n, y < m, a[x] == b[y] {
                    x += 1
                    y += 1
                }
                v[offset + k] = x
                if x >= n, y >= m {
                    found = true
                    break
                }
            }
            if found { break }
        }
        guard found else { return nil }
        // Walk back through the saved frontiers.
        var edits: [Edit] = []
        var x = n
        var y = m
        for d in stride(from: trace.count - 1, through: 0, by: -1) {
            let frontier = trace[d]
            func v(_ k: Int) -> Int { frontier[k + d] }
            let k = x - y
            let previousK = (k == -d || (k != d && v(k - 1) < v(k + 1))) ? k + 1 : k - 1
            let previousX = d == 0 ? 0 : v(previousK)
            let previousY = previousX - previousK
            while x > previousX, y > previousY {
                x -= 1
                y -= 1
                edits.append(.same(x, y))
            }
            if d > 0 {
                if x == previousX { edits.append(.insert(previousY)) } else { edits.append(.delete(previousX)) }
            }
            x = previousX
            y = previousY
        }
        return edits.reversed()
    }
}
