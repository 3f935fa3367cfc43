#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Thin wrappers over the POSIX calls the file connectors make: they retry on `EINTR`
/// and report a failure as its `errno`, so that callers can name the path in a
/// one-line error.
enum SystemCalls {
    /// `open(2)` with `O_CLOEXEC`: the descriptor, or the failure.
    static func openFile(_ path: String, flags: Int32, mode: mode_t = 0) -> Result<Int32, SystemError> {
        while true {
            let fd = path.withCString { open($0, flags | O_CLOEXEC, mode) }
            if fd >= 0 { return .success(fd) }
            if errno != EINTR { return .failure(SystemError(errno)) }
        }
    }

    /// `read(2)` into `buffer`: the number of bytes read, 0 at the end of the file.
    static func readChunk(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) -> Result<Int, SystemError> {
        guard buffer.count > 0 else { return .success(0) }
        while true {
            let n = read(fd, buffer.baseAddress, buffer.count)
            if n >= 0 { return .success(n) }
            if errno != EINTR { return .failure(SystemError(errno)) }
        }
    }

    /// `pread(2)` at `offset`: the number of bytes read, 0 at the end of the file.
    static func readChunk(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) -> Result<Int, SystemError> {
        guard buffer.count > 0 else { return .success(0) }
        while true {
            let n = pread(fd, buffer.baseAddress, buffer.count, off_t(offset))
            if n >= 0 { return .success(n) }
            if errno != EINTR { return .failure(SystemError(errno)) }
        }
    }

    /// Writes all of `bytes`, looping over partial writes. On failure `written` tells
    /// how many bytes reached the file before it.
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, written: inout Int) -> SystemError? {
        written = 0
        while written < bytes.count {
            let n = write(fd, bytes.baseAddress! + written, bytes.count - written)
            if n > 0 { written += n; continue }
            if n < 0 && errno == EINTR { continue }
            return SystemError(n == 0 ? EIO : errno)
        }
        return nil
    }

    /// `close(2)`. Never retried: Linux releases the descriptor even when it reports `EINTR`.
    static func closeFile(_ fd: Int32) -> SystemError? {
        close(fd) == 0 ? nil : SystemError(errno)
    }

    /// `fstat(2)`.
    static func status(_ fd: Int32) -> Result<stat, SystemError> {
        var st = stat()
        return fstat(fd, &st) == 0 ? .success(st) : .failure(SystemError(errno))
    }
}

/// A failed system call's `errno`, with `strerror`'s text for it.
struct SystemError: Error {
    var code: Int32
    init(_ code: Int32) { self.code = code }
    /// "No such file or directory".
    var message: String { String(cString: strerror(code)) }
}
