import Testing
import PlanYAML

func dump(_ n: YAMLNode, _ indent: String = "") {
    switch n.content {
    case .scalar(let s, let st): print(indent + "scalar \(s.debugDescription) \(st) tag=\(n.tag ?? "-") \(n.range.start)-\(n.range.end) alias=\(n.aliasRange.map { "\($0.start)-\($0.end)" } ?? "-")")
    case .sequence(let items): print(indent + "seq \(n.range.start)-\(n.range.end) tag=\(n.tag ?? "-") alias=\(n.aliasRange.map { "\($0.start)" } ?? "-")"); for i in items { dump(i, indent + "  ") }
    case .mapping(let pairs): print(indent + "map \(n.range.start)-\(n.range.end) tag=\(n.tag ?? "-") alias=\(n.aliasRange.map { "\($0.start)" } ?? "-")"); for p in pairs { dump(p.key, indent + "  K "); dump(p.value, indent + "  V ") }
    }
}

@Test func scratch() {
    let cases: [[UInt8]] = [
        Array("a: |\n  line\n  two\nb: >-\n  fold\n  ed\nc: !!str 5\nd: ! x\ne: !custom y\n".utf8),
        Array("a: 1\nb: [1, 2\nc: 3\n".utf8),
        Array("a: b\n  c: d\n".utf8),
        Array("key: ok\nbad: ".utf8) + [0xC3, 0x28],
        Array("a: b\n".utf8) + [0],
        [0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, 0],
        Array("a: 1\u{85}b: 2\u{2028}c: 3\u{2029}d: 4\re: 5\r\nf: é\n".utf8),
        Array("a: 1\u{85}b: ".utf8) + [0],
        Array("a: 1\n---\nb: 2\n".utf8),
        Array("base: &b {x: 1}\nuse: *b\nm:\n  <<: *b\n  y: 2\n".utf8),
        Array("---\n".utf8),
        Array("# only\n".utf8),
        Array("a:\n  - x\n  - y\n\n# c\nb: 1\n".utf8),
    ]
    for c in cases {
        let (node, diags) = YAMLComposer.compose(c)
        print("=== \(String(decoding: c, as: UTF8.self).debugDescription)")
        if let node { dump(node) } else { print("nil") }
        for d in diags { print(d.summary, d.range.start, d.range.end, d.notes.map { "\($0.message) \($0.range?.start.description ?? "")" }) }
    }
}
