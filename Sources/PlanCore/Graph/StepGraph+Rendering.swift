/// The step graph as a picture: Mermaid (renders on GitHub) or Graphviz DOT.
///
/// Each phase is a box of its steps; solid arrows are dependencies inside a phase (file order or `needs:`),
/// dashed arrows the barrier from the last steps of a phase to the first steps of the next.
extension StepGraph {
    public func mermaid() -> String {
        var out = "flowchart TD\n"
        for (phase, members) in phases {
            out += "  subgraph \(phase.rawValue)\n"
            for i in members { out += "    s\(i)[\"\(mermaidLabel(i))\"]\n" }
            out += "  end\n"
        }
        for (i, deps) in dependencyLists.enumerated() {
            for dep in deps { out += "  s\(dep.index) --> s\(i)\n" }
        }
        for (from, to) in barrierEdges { out += "  s\(from) -.-> s\(to)\n" }
        return out
    }

    public func dot() -> String {
        var out = "digraph \(dotQuote(operation)) {\n  rankdir=TB;\n  node [shape=box];\n"
        for (phase, members) in phases {
            out += "  subgraph cluster_\(phase.rawValue) {\n    label=\(dotQuote(phase.rawValue));\n"
            for i in members { out += "    \(dotQuote(steps[i].id)) [label=\(dotQuote(label(i)))];\n" }
            out += "  }\n"
        }
        for (i, deps) in dependencyLists.enumerated() {
            for dep in deps { out += "  \(dotQuote(steps[dep.index].id)) -> \(dotQuote(steps[i].id));\n" }
        }
        for (from, to) in barrierEdges {
            out += "  \(dotQuote(steps[from].id)) -> \(dotQuote(steps[to].id)) [style=dashed];\n"
        }
        return out + "}\n"
    }

    /// Step indices per phase, phases in run order, empty phases left out.
    var phases: [(Phase, [Int])] {
        var out: [(Phase, [Int])] = []
        for (i, step) in steps.enumerated() {
            if out.last?.0 == step.phase { out[out.count - 1].1.append(i) } else { out.append((step.phase, [i])) }
        }
        return out
    }

    /// From every step of a phase that no step of it waits for, to every step of the next phase that waits for none.
    var barrierEdges: [(Int, Int)] {
        let groups = phases
        guard groups.count > 1 else { return [] }
        var hasDependents = Set<Int>()
        for deps in dependencyLists { for dep in deps { hasDependents.insert(dep.index) } }
        var out: [(Int, Int)] = []
        for k in 1..<groups.count {
            let sinks = groups[k - 1].1.filter { !hasDependents.contains($0) }
            let sources = groups[k].1.filter { dependencyLists[$0].isEmpty }
            for from in sinks { for to in sources { out.append((from, to)) } }
        }
        return out
    }

    private func label(_ i: Int) -> String {
        if let name = steps[i].name, name != steps[i].id { return "\(steps[i].id)\n\(name)" }
        return steps[i].id
    }

    private func mermaidLabel(_ i: Int) -> String {
        var out = ""
        for c in label(i) {
            switch c {
            case "\"": out += "#quot;"
            case "\n": out += "<br/>"
            case "<": out += "#lt;"
            case ">": out += "#gt;"
            default: out.append(c)
            }
        }
        return out
    }

    private func dotQuote(_ text: String) -> String {
        var out = "\""
        for c in text {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.append(c)
            }
        }
        return out + "\""
    }
}
