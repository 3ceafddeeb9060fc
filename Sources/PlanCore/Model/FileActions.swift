import PlanYAML

/// `copy:`: puts a file on nodes, atomically, only when its content, mode or owner differ.
public struct CopyAction: Sendable, Equatable {
    public enum Source: Sendable, Equatable {
        /// A file next to the plan: `path` as written, `resolved` relative to the plan's directory.
        case file(path: String, resolved: String)
        /// `content:`, a template rendered per node.
        case content(Template)
    }

    public var source: Source
    /// Render `${{ }}` in the `src` file per node.
    public var template: Bool
    /// An absolute path on the node.
    public var dest: Template
    /// Octal permission bits as written (`"0644"`); nil keeps those of the file it replaces.
    public var mode: String?
    public var owner: Template?
    public var group: Template?
    /// Keep the replaced file as `DEST.planrun-<time>`.
    public var backup: Bool
    /// A command run on the new file (`{path}` names it) before it replaces `dest`.
    public var verify: Template?
    /// Where the `src` value stands, for errors about the file.
    public var sourceRange: SourceRange

    public init(
        source: Source, template: Bool = false, dest: Template, mode: String? = nil, owner: Template? = nil,
        group: Template? = nil, backup: Bool = false, verify: Template? = nil, sourceRange: SourceRange = .unknown
    ) {
        self.source = source
        self.template = template
        self.dest = dest
        self.mode = mode
        self.owner = owner
        self.group = group
        self.backup = backup
        self.verify = verify
        self.sourceRange = sourceRange
    }

    /// The `src` file's path on this machine, nil for `content:`.
    public var resolvedSource: String? {
        if case .file(_, let resolved) = source { return resolved }
        return nil
    }

    /// The placeholder `verify` uses for the new file's path.
    public static let pathPlaceholder = "{path}"

    /// Every template of the action, with its key.
    func forEachTemplate(_ body: (String, Template) -> Void) {
        if case .content(let t) = source { body("content", t) }
        body("dest", dest)
        if let owner { body("owner", owner) }
        if let group { body("group", group) }
        if let verify { body("verify", verify) }
    }
}

/// `fetch:`: pulls a file from nodes to this machine.
public struct FetchAction: Sendable, Equatable {
    /// An absolute path on the node.
    public var src: Template
    /// A local path (relative to the current directory); usually names the node (`${{ node.name }}`).
    public var dest: Template

    public init(src: Template, dest: Template) {
        self.src = src
        self.dest = dest
    }
}
