/// Finds a plan from what the operator typed: a path, or a name looked up as `plans/NAME.yaml`, then
/// `plans/NAME.yml`, then in each directory of `$PLANRUN_PATH` (colon-separated) the same way.
public enum PlanLocator {
    /// The path of the plan, or nil when nothing matches; `searched` lists the places tried, for the error.
    public static func locate(
        _ name: String, environment: [String: String] = [:]
    ) -> (path: String?, searched: [String]) {
        var candidates = [name]
        var directories = ["plans"]
        if let extra = environment["PLANRUN_PATH"] {
            directories += extra.split(separator: ":").map(String.init).filter { !$0.isEmpty }
        }
        for directory in directories {
            let base = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            candidates += [base + ".yaml", base + ".yml"]
            if directory != "plans" { candidates.append(base) }
        }
        for candidate in candidates where SourceFile.isFile(candidate) {
            return (candidate, candidates)
        }
        return (nil, candidates)
    }
}
