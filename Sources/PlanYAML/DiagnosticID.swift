/// Every diagnostic planrun reports, with its severity and what it means: the one catalogue the code uses
/// instead of id strings, and the one the README's table is checked against (`DiagnosticCatalogueTests`).
///
/// Adding a diagnostic: one case here (the raw value is the stable id tools match on), its `severity` and
/// `meaning`, and a row in the README's table.
public enum DiagnosticID: String, CaseIterable, Sendable, Hashable, CustomStringConvertible {
    // YAML level
    case yamlSyntax = "yaml.syntax"
    case yamlEncoding = "yaml.encoding"
    case yamlDuplicateKey = "yaml.duplicate-key"
    case yamlBadMerge = "yaml.bad-merge"
    case yamlTooDeep = "yaml.too-deep"
    case yamlAliasBudget = "yaml.alias-budget"
    case yamlTooLarge = "yaml.too-large"
    case yamlMultipleDocuments = "yaml.multiple-documents"
    case yamlUnknownAlias = "yaml.unknown-alias"
    case yamlMemory = "yaml.memory"
    // Plan structure
    case planUnreadable = "plan.unreadable"
    case planEmpty = "plan.empty"
    case planVersion = "plan.version"
    case planUnknownKey = "plan.unknown-key"
    case planMissingKey = "plan.missing-key"
    case planType = "plan.type"
    case planBadID = "plan.bad-id"
    // Field rules
    case planStepAction = "plan.step-action"
    case planCaptureSource = "plan.capture-source"
    case planTransport = "plan.transport"
    case planReservedInput = "plan.reserved-input"
    case planInputDefault = "plan.input-default"
    case planMaxParallel = "plan.max-parallel"
    case planMaxConnecting = "plan.max-connecting"
    case planCopySource = "plan.copy-source"
    case planCopyMode = "plan.copy-mode"
    case planCopyVerify = "plan.copy-verify"
    case planFilePath = "plan.file-path"
    // Steps and order
    case planDuplicateID = "plan.duplicate-id"
    case planUnknownNeeds = "plan.unknown-needs"
    case planNeedsLaterPhase = "plan.needs-later-phase"
    case planCycle = "plan.cycle"
    case planEmptyOperation = "plan.empty-operation"
    // Targets
    case planUnknownNode = "plan.unknown-node"
    case planMissingTarget = "plan.missing-target"
    case planGroupCycle = "plan.group-cycle"
    // References
    case planUndefinedInput = "plan.undefined-input"
    case planUnknownStep = "plan.unknown-step"
    case planUnknownCapture = "plan.unknown-capture"
    case planTimeoutAboveMax = "plan.timeout-above-max"
    case planInvalidRegex = "plan.invalid-regex"
    case planOutOfRange = "plan.out-of-range"
    case planCacheDestructive = "plan.cache-destructive"
    case planCacheNotCommand = "plan.cache-not-command"
    case planSecretInArgv = "plan.secret-in-argv"
    // Expressions
    case exprSyntax = "expr.syntax"
    case exprUnknownFunction = "expr.unknown-function"
    case exprUnknownName = "expr.unknown-name"
    case exprArguments = "expr.arguments"
    case exprType = "expr.type"
    case planSetReadsItself = "plan.set-reads-itself"
    case planOutputKey = "plan.output-key"
    // Groups, loops and step files
    case planGroup = "plan.group"
    case planUsesFile = "plan.uses-file"
    case planUsesCycle = "plan.uses-cycle"
    case planItemOutsideLoop = "plan.item-outside-loop"
    // Warnings
    case planQuotedInterpolation = "plan.quoted-interpolation"
    case planListInterpolation = "plan.list-interpolation"
    case planUnguardedDestructive = "plan.unguarded-destructive"
    // Inventory files
    case inventoryUnreadable = "inventory.unreadable"
    case inventoryEmpty = "inventory.empty"
    // Inputs given to `run`
    case inputUnknown = "input.unknown"
    case inputType = "input.type"
    case inputEnum = "input.enum"
    case inputRange = "input.range"
    case inputMissing = "input.missing"
    case inputUnknownOperation = "input.unknown-operation"
    case inputMissingOperation = "input.missing-operation"
    case inputUnknownNode = "input.unknown-node"
    case inputFile = "input.file"
    // The command line
    case runPlanNotFound = "run.plan-not-found"
    case runUnknownTarget = "run.unknown-target"
    case runUnknownLimit = "run.unknown-limit"

    public var description: String { rawValue }

    public var severity: Diagnostic.Severity {
        switch self {
        case .planQuotedInterpolation, .planListInterpolation, .planUnguardedDestructive: return .warning
        default: return .error
        }
    }

    /// One line for the README's table: when the diagnostic is reported.
    public var meaning: String {
        switch self {
        case .yamlSyntax: return "the file is not well-formed YAML"
        case .yamlEncoding: return "the file is not valid UTF-8 (or holds a character YAML forbids)"
        case .yamlDuplicateKey: return "a mapping has the same key twice"
        case .yamlBadMerge: return "a `<<` merge key whose value is not a mapping or a list of mappings"
        case .yamlTooDeep: return "nesting deeper than 256 levels"
        case .yamlAliasBudget: return "aliases expand to too many nodes (billion laughs)"
        case .yamlTooLarge: return "the file is larger than the input limit"
        case .yamlMultipleDocuments: return "more than one YAML document in the file"
        case .yamlUnknownAlias: return "an alias `*name` with no anchor `&name` before it"
        case .yamlMemory: return "libyaml ran out of memory"
        case .planUnreadable: return "the plan file cannot be read"
        case .planEmpty: return "the plan file is empty"
        case .planVersion: return "`planrun:` is missing or names a version this planrun does not read"
        case .planUnknownKey: return "a key the mapping does not take, with a did-you-mean"
        case .planMissingKey: return "a required key is missing"
        case .planType: return "a value of the wrong type, or a word outside its closed set"
        case .planBadID: return "a step id with characters other than letters, digits, `_` and `-`"
        case .planStepAction: return "a step with none, or more than one, of `run`, `argv`, `set`, `assert`, `copy`, `fetch` (or `changed_when` on a step that runs on no node)"
        case .planCaptureSource: return "a capture with no source, or with more than one"
        case .planTransport: return "an SSH-only key on a local node"
        case .planReservedInput: return "an input named `operation` (it is implicit)"
        case .planInputDefault: return "an input's default outside its `enum`, `min` or `max`"
        case .planMaxParallel: return "`policy.max_parallel` below 1"
        case .planMaxConnecting: return "`policy.max_connecting` below 1"
        case .planCopySource: return "a `copy` whose `src` file does not exist next to the plan, or with both `src` and `content`"
        case .planSecretInArgv: return "an `argv:` word that reads a `secret: true` input (it would be on the command line, readable in `ps`)"
        case .planCopyMode: return "a `copy` `mode` that is not octal permission bits (`\"0644\"`)"
        case .planCopyVerify: return "a `copy` `verify` command that does not name the new file as `{path}`"
        case .planFilePath: return "a `copy` `dest` or `fetch` `src` that is not an absolute path on the node"
        case .planDuplicateID: return "two steps of one operation share an id"
        case .planUnknownNeeds: return "`needs:` names a step the operation does not have"
        case .planNeedsLaterPhase: return "`needs:` names a step of a later phase"
        case .planCycle: return "steps that need each other in a cycle"
        case .planEmptyOperation: return "an operation without steps"
        case .planUnknownNode: return "a target names no node or group of the inventory"
        case .planMissingTarget: return "a command step without `target:` when the inventory has several nodes"
        case .planGroupCycle: return "a group that contains itself, or groups nested more than 32 deep"
        case .planUndefinedInput: return "`inputs.NAME` of an input the plan does not declare"
        case .planUnknownStep: return "`steps.ID` of a step the operation does not have"
        case .planUnknownCapture: return "a read of a capture that no earlier step makes"
        case .planTimeoutAboveMax: return "a step timeout above `policy.max_timeout`"
        case .planInvalidRegex: return "an `errors:` `match`, a `capture:` `regex` or a literal `matches` pattern that does not compile (RE2 syntax)"
        case .planOutOfRange: return "a duration above 1e9 s, a port outside 1–65535, an exit code outside 0–255"
        case .planCacheDestructive: return "`cache:` on a `destructive: true` step (its effect would silently not happen)"
        case .planCacheNotCommand: return "`cache:` on a step that runs no command (`set:`, `assert:`)"
        case .exprSyntax: return "an expression that does not parse, located to the column"
        case .exprUnknownFunction: return "a call of a function the language does not have, with a did-you-mean"
        case .exprUnknownName: return "a path that starts with a name the language does not have"
        case .exprArguments: return "a function called with the wrong number of arguments"
        case .exprType: return "a value that can never suit its function or operator: a literal, a declared input, a function's result"
        case .planSetReadsItself: return "a `set:` value reading another value of the same step"
        case .planOutputKey: return "an `output:` field named like one of the engine's result keys (`steps`, `confidence`, …)"
        case .planGroup:
            return "`batch`, `pause`, `max_failures` or `with` on a step that is no group (`steps`/`uses`); a rollout without `target`; `parallel` without `for_each`; a group's step with its own `target` or `needs`"
        case .planUsesFile: return "a file named by `uses:` that cannot be read or is no step file (`kind: steps`)"
        case .planUsesCycle: return "step files that use each other in a cycle"
        case .planItemOutsideLoop: return "`item` or `item_index` where no `for_each` gives one"
        case .planQuotedInterpolation: return "`${{ }}` inside shell quotes in `run:`"
        case .planListInterpolation:
            return "a list input put whole into `run:` outside a loop (one shell word): loop over it with `for_each`, or `join` it"
        case .planUnguardedDestructive: return "`restart`, `reboot`, `shutdown`, `mkfs`, `rm -r…`, `dd` without `destructive: true`"
        case .inventoryUnreadable: return "the `--inventory` file cannot be read"
        case .inventoryEmpty: return "the `--inventory` file is empty"
        case .inputUnknown: return "a value for an input the plan does not declare, with a did-you-mean"
        case .inputType: return "a value that does not read as the input's type"
        case .inputEnum: return "a value outside the input's `enum`"
        case .inputRange: return "a value outside the input's `min` and `max`"
        case .inputMissing: return "a required input without a value"
        case .inputUnknownOperation: return "`operation` names no operation of the plan"
        case .inputMissingOperation: return "the plan has several operations and none was chosen"
        case .inputUnknownNode: return "a `node` input that names no node or group of the inventory"
        case .inputFile: return "the `--inputs` file cannot be read"
        case .runPlanNotFound: return "`planrun run NAME` found no plan of that name"
        case .runUnknownTarget:
            return "a target or `fallback_node` that the inputs decide names no node or group, found before the first step"
        case .runUnknownLimit: return "a `--limit` name that is no node or group"
        }
    }
}
