#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The directory operations that state and checkpoints need (create, list, remove,
/// link, copy, make durable), as POSIX calls with one-line errors naming the path.
///
/// Foundation's `FileManager` would do most of this, but it reports failures in
/// localized prose and cannot hard-link or `fsync` a directory, which checkpoints need.
public enum Directory {
    /// Whether `path` exists and is a directory.
    public static func exists(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// `mkdir -p`.
    public static func create(_ path: String) throws {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += component + "/"
            var st = stat()
            if stat(prefix, &st) == 0 { continue }
            guard mkdir(prefix, 0o755) == 0 || errno == EEXIST else {
                throw OutputError("create directory", path: path, detail: SystemError(errno).message)
            }
        }
    }

    /// The names in `path`, without `.` and `..`, sorted.
    public static func list(_ path: String) throws -> [String] {
        guard let dir = opendir(path) else {
            throw OutputError("read directory", path: path, detail: SystemError(errno).message)
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// `rm -r`; a missing path is not an error.
    public static func remove(_ path: String) throws {
        var st = stat()
        guard lstat(path, &st) == 0 else { return }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            for name in try list(path) { try remove(path + "/" + name) }
            guard rmdir(path) == 0 else { throw OutputError("remove", path: path, detail: SystemError(errno).message) }
        } else {
            guard unlink(path) == 0 else { throw OutputError("remove", path: path, detail: SystemError(errno).message) }
        }
    }

    /// The size in bytes of a regular file, or `nil` if there is none at `path`.
    public static func fileSize(_ path: String) -> Int64? {
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int64(st.st_size)
    }

    /// Bytes of the regular files under `path`, recursively (hard links counted in full).
    public static func totalSize(_ path: String) throws -> Int64 {
        if let size = fileSize(path) { return size }
        guard exists(path) else { return 0 }
        var total: Int64 = 0
        for name in try list(path) { total += try totalSize(path + "/" + name) }
        return total
    }

    /// A hard link to `source` at `destination`: the same immutable bytes, no copy.
    public static func link(_ source: String, to destination: String) throws {
        guard Glibc.link(source, destination) == 0 else {
            throw OutputError("link", path: destination, detail: SystemError(errno).message)
        }
    }

    /// Reads the file at `path` front to back in 1 MiB pieces, handing each to `body`.
    public static func readChunks(of path: String, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let fd: Int32
        switch SystemCalls.openFile(path, flags: O_RDONLY) {
        case .success(let opened): fd = opened
        case .failure(let error): throw OutputError("read", path: path, detail: error.message)
        }
        defer { _ = SystemCalls.closeFile(fd) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            switch SystemCalls.readChunk(fd, into: buffer) {
            case .success(0): return
            case .success(let n): try body(UnsafeRawBufferPointer(rebasing: buffer[..<n]))
            case .failure(let error): throw OutputError("read", path: path, detail: error.message)
            }
        }
    }

    /// Copies the regular file `source` to `destination` (created or emptied).
    public static func copyFile(_ source: String, to destination: String) throws {
        let output = try OutputFile(path: destination)
        try readChunks(of: source) { try output.append($0) }
        try output.sync()
        try output.close()
    }

    /// `fsync` of a file already written and closed by someone else (RocksDB's checkpoint).
    public static func syncFile(_ path: String) throws {
        switch SystemCalls.openFile(path, flags: O_RDONLY) {
        case .success(let fd):
            defer { _ = SystemCalls.closeFile(fd) }
            if fsync(fd) != 0 { throw OutputError("sync", path: path, detail: SystemError(errno).message) }
        case .failure(let error):
            throw OutputError("sync", path: path, detail: error.message)
        }
    }

    /// `fsync` of a directory: makes the names created or renamed in it durable.
    public static func sync(_ path: String) throws {
        try OutputFile.syncDirectory(containing: path + "/.")
    }

    /// Renames `source` to `destination` atomically (replacing it if it exists).
    public static func rename(_ source: String, to destination: String) throws {
        guard Glibc.rename(source, destination) == 0 else {
            throw OutputError("rename", path: source, detail: SystemError(errno).message)
        }
    }
}
