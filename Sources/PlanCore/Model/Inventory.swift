import PlanYAML

/// The nodes a plan may run on and the groups that name several of them at once.
public struct Inventory: Sendable, Equatable {
    /// In file order.
    public var nodes: [NodeDeclaration]
    /// In file order.
    public var groups: [GroupDeclaration]

    public init(nodes: [NodeDeclaration] = [], groups: [GroupDeclaration] = []) {
        self.nodes = nodes
        self.groups = groups
    }

    public func group(named name: String) -> GroupDeclaration? { groups.first { $0.name == name } }
}

/// A machine steps run on: this one, or a remote host over SSH.
public struct NodeDeclaration: Sendable, Equatable {
    public var name: String
    public var transport: Transport
    /// Free-form values plans read as `${{ node.vars.NAME }}`, so one plan serves several set-ups.
    public var vars: Value.Object
    public var range: SourceRange

    public init(name: String, transport: Transport = .local, vars: Value.Object = Value.Object(), range: SourceRange = .unknown) {
        self.name = name
        self.transport = transport
        self.vars = vars
        self.range = range
    }
}

public enum Transport: Sendable, Hashable {
    case local
    case ssh(SSHSettings)
}

/// How to reach a node with the system OpenSSH client.
public struct SSHSettings: Sendable, Hashable {
    public var host: String
    public var user: String?
    public var port: Int?
    public var identityFile: String?
    /// OpenSSH `-o` options, in file order (`UserKnownHostsFile`, `StrictHostKeyChecking`, …).
    public var options: [Option]

    public struct Option: Sendable, Hashable {
        public var name: String
        public var value: String
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    public init(host: String, user: String? = nil, port: Int? = nil, identityFile: String? = nil, options: [Option] = []) {
        self.host = host
        self.user = user
        self.port = port
        self.identityFile = identityFile
        self.options = options
    }
}

/// A name for several nodes; members may be nodes or other groups.
public struct GroupDeclaration: Sendable, Equatable {
    public var name: String
    public var members: [String]
    public var memberRanges: [SourceRange]
    public var range: SourceRange
    /// The inventory file the group comes from; nil for the plan's own `inventory:`.
    public var file: String?

    public init(name: String, members: [String], memberRanges: [SourceRange] = [], range: SourceRange = .unknown) {
        self.name = name
        self.members = members
        self.memberRanges = memberRanges
        self.range = range
    }
}
