/// planrun's own version, printed by `planrun --version`.
///
/// Raised by hand with each release: the plan language (`planrun: 1`) versions separately.
public enum PlanrunVersion {
    public static let current = "0.2.0"
}
