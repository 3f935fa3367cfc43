#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CLinuxIO

/// A buffered, append-only output file: what a JSONL sink writes through.
///
/// Bytes are collected in memory and written with `write(2)` once more than
/// `bufferLimit` are pending (or on `flush`, `sync`, `close`). `length` counts every byte
/// appended, so after `flush` it is the file's length: the length a checkpoint records,
/// and the one `init(path:truncatingTo:)` cuts the file back to on recovery, which
/// discards whatever was written after that checkpoint.
///
/// Failures (`ENOSPC`, `EIO`, ...) throw `OutputError`. After a failed write the bytes
/// that did not reach the file stay buffered, and `length` still counts them.
///
/// Every `writebackChunk` bytes written, a regular file asks the kernel to start writing
/// them to the device (`sync_file_range`, not waiting): otherwise nothing reaches the
/// disk until `sync`, and a run's last `fsync` (or a checkpoint's) waits for all of it
/// while the cores idle. What `sync` promises is unchanged; the hint only moves the
/// device's work earlier, where it overlaps with computing.
public final class OutputFile: ByteWriter {
    /// Pending bytes beyond which an append writes the buffer out.
    public static let bufferLimit = 1 << 20
    /// Bytes written between two requests to start write-back.
    public static let writebackChunk: Int64 = 8 << 20

    public let path: String
    private var fd: Int32
    private var buffer: [UInt8]
    /// Bytes in the file: everything appended minus what is buffered.
    private var writtenLength: Int64
    /// The file did not exist before: its directory entry needs an `fsync` to be durable.
    private var directoryNeedsSync: Bool
    /// A regular file whose write-back is started early; cleared if the kernel refuses.
    private var startsWriteback: Bool
    /// Where the bytes not yet handed to write-back begin.
    private(set) var writebackFrom: Int64

    /// Creates or opens the file at `path`. Given a `length`, cuts the existing file back
    /// to it and appends after it (recovery); otherwise empties the file. A path that is
    /// not a regular file (`/dev/stdout`, a pipe) is written as it is.
    ///
    /// Throws when the file cannot be created, or is shorter than `length` (then bytes a
    /// checkpoint counts on are missing, and appending would leave a hole).
    public init(path: String, truncatingTo length: Int64? = nil) throws {
        var existed = stat()
        let isNew = stat(path, &existed) != 0
        let fd: Int32
        switch SystemCalls.openFile(path, flags: O_WRONLY | O_CREAT, mode: 0o644) {
        case .success(let opened): fd = opened
        case .failure(let error): throw OutputError("create", path: path, detail: error.message)
        }
        var keep = length ?? 0
        var isRegular = false
        do {
            let st: stat
            switch SystemCalls.status(fd) {
            case .success(let s): st = s
            case .failure(let error): throw OutputError("open", path: path, detail: error.message)
            }
            if st.st_mode & S_IFMT == S_IFREG {
                isRegular = true
                if let length, Int64(st.st_size) < length {
                    throw OutputError("truncate", path: path, detail: "it has \(st.st_size) bytes, fewer than the \(length) to keep")
                }
                if ftruncate(fd, off_t(keep)) != 0 {
                    throw OutputError("truncate", path: path, detail: SystemError(errno).message)
                }
                if lseek(fd, off_t(keep), SEEK_SET) < 0 {
                    throw OutputError("seek in", path: path, detail: SystemError(errno).message)
                }
            } else {
                keep = 0  // a device or pipe (/dev/stdout): nothing to cut or seek
            }
        } catch {
            _ = SystemCalls.closeFile(fd)
            throw error
        }
        self.path = path
        self.fd = fd
        self.writtenLength = keep
        self.directoryNeedsSync = isNew
        self.startsWriteback = isRegular
        self.writebackFrom = keep
        self.buffer = []
        self.buffer.reserveCapacity(Self.bufferLimit + (64 << 10))
    }

    deinit {
        // Best effort for a writer dropped without `close()`; errors go unreported then.
        if fd >= 0 {
            _ = try? flush()
            _ = SystemCalls.closeFile(fd)
        }
    }

    /// Bytes appended so far in total, flushed or not: the file's length after `flush`.
    public var length: Int64 { writtenLength + Int64(buffer.count) }

    /// Appends `bytes`; writes the buffer out once it holds more than `bufferLimit`.
    /// A large append goes to the file directly instead of through the buffer.
    public func append(_ bytes: UnsafeRawBufferPointer) throws {
        guard bytes.count > 0 else { return }
        try checkOpen()
        if bytes.count >= Self.bufferLimit {
            try flush()
            try writeOut(bytes)
            return
        }
        buffer.append(contentsOf: bytes)
        if buffer.count > Self.bufferLimit { try flush() }
    }

    public func append(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try append($0) }
    }

    /// Lets `body` append to the buffer directly (no intermediate copy), then writes the
    /// buffer out if it holds more than `bufferLimit`.
    public func withAppendBuffer<R>(_ body: (inout [UInt8]) throws -> R) throws -> R {
        try checkOpen()
        let result = try body(&buffer)
        if buffer.count > Self.bufferLimit { try flush() }
        return result
    }

    /// Writes the buffer to the file with `write(2)`.
    public func flush() throws {
        guard !buffer.isEmpty else { return }
        try checkOpen()
        var written = 0
        let failure = buffer.withUnsafeBytes { bytes -> SystemError? in
            SystemCalls.writeAll(fd, bytes, written: &written)
        }
        writtenLength += Int64(written)
        if let failure {
            buffer.removeFirst(written)
            throw OutputError("write", path: path, detail: failure.message)
        }
        buffer.removeAll(keepingCapacity: true)
        startWritebackIfDue()
    }

    /// Flushes, then `fsync`s the file (and, once, the directory of a new file), so that
    /// `length` bytes survive a crash of the machine.
    public func sync() throws {
        try flush()
        if fsync(fd) != 0 { throw OutputError("sync", path: path, detail: SystemError(errno).message) }
        if directoryNeedsSync {
            try Self.syncDirectory(containing: path)
            directoryNeedsSync = false
        }
    }

    /// Flushes and closes the file; later calls do nothing.
    public func close() throws {
        guard fd >= 0 else { return }
        defer { fd = -1 }
        do {
            try flush()
        } catch {
            _ = SystemCalls.closeFile(fd)
            throw error
        }
        if let failure = SystemCalls.closeFile(fd) {
            throw OutputError("close", path: path, detail: failure.message)
        }
    }

    private func writeOut(_ bytes: UnsafeRawBufferPointer) throws {
        var written = 0
        let failure = SystemCalls.writeAll(fd, bytes, written: &written)
        writtenLength += Int64(written)
        if let failure {
            buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[written...]))
            throw OutputError("write", path: path, detail: failure.message)
        }
        startWritebackIfDue()
    }

    /// Starts write-back of the bytes written since the last start, once there are
    /// `writebackChunk` of them. A refusal only turns the hint off: a failing device
    /// still fails `sync`, which is where durability is promised and checked.
    private func startWritebackIfDue() {
        guard startsWriteback, writtenLength - writebackFrom >= Self.writebackChunk else { return }
        if tillflow_start_writeback(fd, writebackFrom, writtenLength - writebackFrom) != 0 {
            startsWriteback = false
        }
        writebackFrom = writtenLength
    }

    private func checkOpen() throws {
        if fd < 0 { throw OutputError("write", path: path, detail: "the file is closed") }
    }

    /// `fsync` of the directory holding `path`, which makes a new directory entry durable.
    static func syncDirectory(containing path: String) throws {
        let directory: String
        if let slash = path.lastIndex(of: "/") {
            directory = slash == path.startIndex ? "/" : String(path[..<slash])
        } else {
            directory = "."
        }
        switch SystemCalls.openFile(directory, flags: O_RDONLY | O_DIRECTORY) {
        case .success(let dfd):
            defer { _ = SystemCalls.closeFile(dfd) }
            if fsync(dfd) != 0 { throw OutputError("sync", path: directory, detail: SystemError(errno).message) }
        case .failure(let error):
            throw OutputError("sync", path: directory, detail: error.message)
        }
    }
}
