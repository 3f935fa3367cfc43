import Dataflow
import Foundation

// Reading back what a generator wrote, for the generator tests.

/// A fresh directory under /tmp for one test, removed when dropped.
final class Scratch {
    let path = NSTemporaryDirectory() + "tillflow-jobs-\(UUID().uuidString)"
    init() { try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
    deinit { try? FileManager.default.removeItem(atPath: path) }
    func file(_ name: String) -> String { path + "/" + name }
}

func contents(_ path: String) -> [UInt8] { Array(FileManager.default.contents(atPath: path) ?? Data()) }

/// The lines of a file, read back through `LineReader` (which decompresses `.zst`).
func lines(_ path: String) throws -> [[UInt8]] {
    var reader = try LineReader(files: [InputFile(path: path)])
    var out: [[UInt8]] = []
    while let batch = try reader.next() {
        for i in batch.lines.indices { out.append(Array(batch.bytes(of: i))) }
    }
    return out
}

func jsonObject(_ line: [UInt8]) -> [String: Any]? {
    (try? JSONSerialization.jsonObject(with: Data(line), options: [.fragmentsAllowed])) as? [String: Any]
}
