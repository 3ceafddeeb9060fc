#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Reading plan, inventory and input files from disk, and finding plans in directories.
public enum SourceFile {
    /// The file's bytes, or nil when it cannot be read (missing, a directory, no permission).
    public static func read(_ path: String) -> [UInt8]? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return [UInt8](data)
    }

    public static func isDirectory(_ path: String) -> Bool {
        var isDirectory = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory
    }

    public static func isFile(_ path: String) -> Bool {
        var isDirectory = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory
    }

    /// Every `*.yaml` and `*.yml` file under `directory`, recursively, sorted by path.
    public static func plans(in directory: String) -> [String] {
        guard let paths = try? FileManager.default.subpathsOfDirectory(atPath: directory) else { return [] }
        var out: [String] = []
        for relative in paths {
            guard relative.hasSuffix(".yaml") || relative.hasSuffix(".yml") else { continue }
            let path = directory.hasSuffix("/") ? directory + relative : directory + "/" + relative
            if isFile(path) { out.append(path) }
        }
        return out.sorted()
    }
}
