#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One run at a time in a state directory. Two runs over one directory would restore,
/// checkpoint and prune under each other (and RocksDB's own lock cannot help: recovery
/// replaces the live database directory, lock file and all).
///
/// An exclusive `flock` on `STATE_DIR/LOCK`, held while the object lives: the kernel
/// releases it when the process ends in any way, `kill -9` included, so a crashed run
/// never leaves a stale lock behind. The file holds the owner's pid, for the message.
public final class StateDirectoryLock {
    private let fd: Int32
    public let path: String

    public init(directory: String) throws {
        try Directory.create(directory)
        path = directory + "/LOCK"
        switch SystemCalls.openFile(path, flags: O_RDWR | O_CREAT, mode: 0o644) {
        case .success(let opened): fd = opened
        case .failure(let error): throw CheckpointError("cannot lock \(path): \(error.message)")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let reason = errno
            var owner = [UInt8](repeating: 0, count: 32)
            let n = owner.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
            _ = SystemCalls.closeFile(fd)
            if reason == EWOULDBLOCK {
                let pid = n > 0 ? String(decoding: owner[..<n], as: UTF8.self).split(separator: "\n").first.map(String.init) : nil
                throw CheckpointError("the state directory \(directory) is in use by another run\(pid.map { " (pid \($0))" } ?? "")")
            }
            throw CheckpointError("cannot lock \(path): \(SystemError(reason).message)")
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
    }

    deinit { _ = SystemCalls.closeFile(fd) }
}
