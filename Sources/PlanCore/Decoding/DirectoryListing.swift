#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The names in one directory, read with `opendir`/`readdir`.
public enum DirectoryListing {
    /// The entries of `directory` but `.` and `..`, in the order the file system gives; empty when it cannot
    /// be opened.
    ///
    /// A name is read from `d_name` through a pointer, up to its NUL: copying the `dirent` field copies all
    /// 256 bytes of its declared size, and glibc packs short records, so the last one in a buffer may end
    /// at a page boundary — copying past it crashed (`sweepStale` over a large /tmp).
    public static func names(in directory: String) -> [String] {
        guard let stream = opendir(directory) else { return [] }
        defer { closedir(stream) }
        let offset = MemoryLayout<dirent>.offset(of: \dirent.d_name)!
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = String(cString: (UnsafeRawPointer(entry) + offset).assumingMemoryBound(to: CChar.self))
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}
