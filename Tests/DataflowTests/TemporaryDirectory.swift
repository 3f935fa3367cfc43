#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
@testable import Dataflow

/// A fresh directory under /tmp for one test, removed with its files when dropped.
final class TemporaryDirectory {
    let path: String

    init() {
        var template = Array("/tmp/tillflow-test-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "mkdtemp failed")
        path = String(cString: template)
    }

    deinit {
        try? Directory.remove(path)
    }

    func file(_ name: String) -> String { path + "/" + name }

    /// Writes `bytes` to a plain file named `name` and returns its path.
    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) -> String {
        let p = file(name)
        let fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        precondition(fd >= 0)
        var done = 0
        bytes.withUnsafeBytes { raw in
            while done < raw.count { done += Glibc.write(fd, raw.baseAddress! + done, raw.count - done) }
        }
        close(fd)
        return p
    }

    @discardableResult
    func write(_ name: String, _ text: String) -> String { write(name, Array(text.utf8)) }

    /// The whole content of a file.
    func read(_ path: String) -> [UInt8] {
        let fd = open(path, O_RDONLY)
        precondition(fd >= 0)
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            out.append(contentsOf: chunk[0 ..< n])
        }
        return out
    }
}
