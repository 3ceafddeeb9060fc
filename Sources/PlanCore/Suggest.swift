/// Did-you-mean suggestions for names a plan author mistyped: keys, functions, inputs, nodes, step ids.
public enum Suggest {
    /// The candidate closest to `name`, or nil when none is close enough to be a plausible typo.
    ///
    /// Distance is Damerau-Levenshtein (optimal string alignment) over lowercased Unicode scalars: a
    /// swapped pair counts as one edit and case is ignored. A candidate qualifies within 1 edit for names of up
    /// to 3 scalars, else within a third of the name's length (at least 2). Ties go to the candidate that
    /// differs least in case, then to the earlier one in `candidates`. An exact match is never suggested.
    public static func closest(to name: String, among candidates: some Sequence<String>) -> String? {
        let target = Array(name.lowercased().unicodeScalars)
        let limit = target.count <= 3 ? 1 : max(2, target.count / 3)
        var best: (candidate: String, distance: Int, exact: Int)?
        for candidate in candidates where candidate != name {
            let folded = Array(candidate.lowercased().unicodeScalars)
            // Lengths that differ by more than the limit cannot be within it.
            guard abs(folded.count - target.count) <= limit else { continue }
            let d = distance(target, folded)
            guard d <= limit else { continue }
            let exact = d == 0 ? distance(Array(name.unicodeScalars), Array(candidate.unicodeScalars)) : d
            if best == nil || d < best!.distance || (d == best!.distance && exact < best!.exact) {
                best = (candidate, d, exact)
            }
        }
        return best?.candidate
    }

    /// The edit distance between two strings, counting insertions, deletions, substitutions and
    /// transpositions of adjacent Unicode scalars as one edit each (case-sensitive).
    public static func distance(_ a: String, _ b: String) -> Int {
        distance(Array(a.unicodeScalars), Array(b.unicodeScalars))
    }

    private static func distance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        // Three rolling rows: the one before the previous is needed for transpositions.
        var before = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var d = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    d = min(d, before[j - 2] + 1)
                }
                current[j] = d
            }
            (before, previous, current) = (previous, current, before)
        }
        return previous[b.count]
    }
}
