/// What a step asks a node to run.
public struct CommandRequest: Sendable {
    public enum Command: Sendable, Hashable {
        /// Run by `/bin/sh -c` on the node.
        case shell(String)
        /// Exec'd without a shell (remotely: each argument shell-quoted once for the remote login shell).
        case argv([String])
    }

    public var command: Command
    /// Seconds before the whole process tree is stopped (SIGTERM, then SIGKILL after `grace`).
    public var timeout: Double
    /// Seconds between SIGTERM and SIGKILL.
    public var grace: Double
    /// Most bytes kept of each of stdout and stderr; past it the tail is kept.
    public var outputLimit: Int
    /// Called with each line of stdout and stderr as it arrives (without the line break; a last line
    /// without one comes at the end), from the command's own thread; nil when nobody watches.
    public var onLine: (@Sendable (String) -> Void)?
    /// Bytes saved on the node before the command starts, and removed after it (`copy`). The step's
    /// timeout covers the transfer too.
    public var upload: Upload?
    /// A local file that receives the command's stdout, streamed (`fetch`); `stdout` then stays empty.
    public var download: String?
    /// Variables the command needs that must not be on its command line (secrets, see `SecretWords`).
    public var environment: [(name: String, value: String)] = []
    /// The command is planrun's own script of short file operations, with no user code in it (a copy's
    /// install: compare, mode, owner, rename). Over SSH it runs in the remote wrapper's shell instead of
    /// under `timeout` in a shell of its own: two processes fewer on the node per copy, which at fleet
    /// scale is CPU the node's sshd shares. The step's timeout then bounds it from here, as it bounds an
    /// upload. Local commands and commands with `environment` run as usual.
    public var runsInWrapper = false

    public init(
        command: Command, timeout: Double, grace: Double = 2, outputLimit: Int = 1 << 20,
        onLine: (@Sendable (String) -> Void)? = nil, upload: Upload? = nil, download: String? = nil
    ) {
        self.upload = upload
        self.download = download
        self.command = command
        self.timeout = timeout
        self.grace = grace
        self.outputLimit = outputLimit
        self.onLine = onLine
    }
}

/// What came back from one command on one node.
public struct CommandOutcome: Sendable {
    /// The exit status; nil when the process was killed by a signal or never started.
    public var exitCode: Int32?
    /// The signal that ended the process, if one did.
    public var signal: Int32?
    public var stdout: String
    public var stderr: String
    /// Wall-clock seconds from spawn to reap.
    public var duration: Double
    /// The command was stopped by its timeout.
    public var timedOut: Bool
    /// Set when the transport itself failed (ssh could not connect, exec failed), as opposed to the command.
    public var failure: TransportFailure?

    public init(
        exitCode: Int32?, signal: Int32? = nil, stdout: String = "", stderr: String = "", duration: Double = 0,
        timedOut: Bool = false, failure: TransportFailure? = nil
    ) {
        self.exitCode = exitCode
        self.signal = signal
        self.stdout = stdout
        self.stderr = stderr
        self.duration = duration
        self.timedOut = timedOut
        self.failure = failure
    }

    public var succeeded: Bool { failure == nil && !timedOut && exitCode == 0 }
}

/// Why a node could not be reached or a command could not be started.
public struct TransportFailure: Sendable, Hashable, Error {
    public var kind: ErrorKind
    public var message: String

    public init(_ kind: ErrorKind, _ message: String) {
        self.kind = kind
        self.message = message
    }
}

/// The kinds of the seed's error table, plus plan-defined kinds from `errors:` rules.
public struct ErrorKind: RawRepresentable, Sendable, Hashable, ExpressibleByStringLiteral, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }

    public static let connection: ErrorKind = "connection"
    public static let authentication: ErrorKind = "authentication"
    /// The node's host key is unknown or not the one `known_hosts` holds: maybe a reinstalled node, maybe
    /// someone in between. Never retried with checking turned off.
    public static let hostKey: ErrorKind = "host_key"
    public static let unreachable: ErrorKind = "unreachable"
    public static let timeout: ErrorKind = "timeout"
    public static let permission: ErrorKind = "permission"
    public static let command: ErrorKind = "command"
    public static let validation: ErrorKind = "validation"
    public static let serviceOffline: ErrorKind = "service_offline"
    public static let gitConflict: ErrorKind = "git_conflict"
    public static let partial: ErrorKind = "partial"
    public static let interrupted: ErrorKind = "interrupted"
    public static let deadline: ErrorKind = "deadline"
}

/// A way to run commands on one node. One instance per node per run.
public protocol NodeTransport: Sendable {
    /// Checks once, before the node's first step, that the node can be used (for SSH: opens the
    /// multiplexed master connection). Returns the classified failure, or nil when the node is usable.
    func connect(timeout: Double) async -> TransportFailure?
    /// Runs one command to completion or timeout; never throws, never leaves a process behind.
    func execute(_ request: CommandRequest) async -> CommandOutcome
    /// Releases what `connect` opened (the SSH master). Safe to call more than once.
    func close() async
}
