/// The keys of one kind of mapping in a plan or an inventory. The enum is the one list of them: the decoder
/// switches over it (so a new case does not compile until it is decoded), the did-you-mean of an unknown key
/// draws from it, and `PlanKeyTests` checks that `schemas/plan.schema.json` and the README list the same keys.
///
/// Adding a key: one case here, its `case` in the decoder's switch, then the schema and the README.
public protocol PlanKey: RawRepresentable, CaseIterable, Sendable where RawValue == String {}

extension PlanKey {
    /// Every key, in declaration order (the order of the did-you-mean's "expected one of" list).
    public static var names: [String] { allCases.map(\.rawValue) }
}

/// The keys of a plan file's top-level mapping (besides `x-` keys, which are ignored).
public enum PlanSectionKey: String, PlanKey {
    case planrun, name, description, inventory, inputs, policy, operations, output
}

/// The keys of a step file (`kind: steps`), which `uses:` includes.
public enum StepFileKey: String, PlanKey {
    case planrun, kind, name, description, inputs, steps
}

/// The keys of a step mapping.
public enum StepKey: String, PlanKey {
    case id, name, target, run, argv, set, assert, needs, when, timeout, retries, delay, until, capture
    case onError = "on_error"
    case fallback
    case fallbackNode = "fallback_node"
    case errors, destructive, message, recommend, cache, copy, fetch
    case changedWhen = "changed_when"
    case forEach = "for_each"
    case parallel, steps, uses, with, batch, pause
    case maxFailures = "max_failures"
    case onFailure = "on_failure"

    /// The keys that give a step its action; a step has exactly one.
    public var isAction: Bool {
        switch self {
        case .run, .argv, .set, .assert, .copy, .fetch, .steps, .uses: return true
        default: return false
        }
    }

    /// The action keys, for messages ("one of run, argv, set, assert, steps or uses").
    public static var actions: [StepKey] { allCases.filter(\.isAction) }

    /// Every key by its name: the decoder looks up each key of every step, and `init(rawValue:)` on a
    /// 35-case string enum cost some 530 instructions a lookup, over twice a plain dictionary's.
    static let byName = Dictionary(uniqueKeysWithValues: allCases.map { ($0.rawValue, $0) })
}

/// The keys of an `inventory:` mapping (and of an inventory file in planrun's own format).
public enum InventoryKey: String, PlanKey {
    case nodes, groups
}

/// The keys of one node under `inventory.nodes`.
public enum NodeKey: String, PlanKey {
    case transport, host, user, port
    case identityFile = "identity_file"
    case sshOptions = "ssh_options"
    case vars

    /// The keys that only an SSH node may have.
    var isSSHOnly: Bool { self != .transport && self != .vars }
}

/// The keys of one input declaration under `inputs:`.
public enum InputKey: String, PlanKey {
    case type, `default`, required, `enum`, min, max, secret, description
}

/// The keys of a step's `copy:`.
public enum CopyKey: String, PlanKey {
    case src, content, template, dest, mode, owner, group, backup, verify
}

/// The keys of a step's `fetch:`.
public enum FetchKey: String, PlanKey {
    case src, dest
}

/// The keys of `policy:`.
public enum PolicyKey: String, PlanKey {
    case maxParallel = "max_parallel"
    case maxConnecting = "max_connecting"
    case deadline
    case defaultTimeout = "default_timeout"
    case maxTimeout = "max_timeout"
    case destructiveWhen = "destructive_when"
}

/// The keys of one capture under a step's `capture:`.
public enum CaptureKey: String, PlanKey {
    case stdout, json, regex, lines, `as`
}

/// The keys of one rule under a step's `errors:`.
public enum ErrorRuleKey: String, PlanKey {
    case match
    case exitCode = "exit_code"
    case kind, hint
}
