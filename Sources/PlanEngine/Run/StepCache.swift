/// Where `cache:` steps find and leave results: the run store, keyed by node and rendered command.
public protocol StepCache: Sendable {
    /// A result of `command` on `node` recorded at most `maxAge` seconds ago, or nil.
    func lookup(node: String, command: String, maxAge: Double) -> CachedCommand?
    /// Keeps a succeeded result for later runs.
    func store(node: String, command: String, _ result: CachedCommand)
}

/// A command's recorded outcome, as `cache:` reuses it.
public struct CachedCommand: Sendable {
    public var exitCode: Int32
    public var stdout: String
    public var stderr: String
    /// Seconds since it was recorded.
    public var age: Double

    public init(exitCode: Int32, stdout: String, stderr: String, age: Double = 0) {
        self.exitCode = exitCode
        self.stdout = stdout
        self.stderr = stderr
        self.age = age
    }
}
