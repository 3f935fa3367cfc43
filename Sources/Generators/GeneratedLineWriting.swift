import Dataflow
import Jobs

/// Writes a generator's lines to `path` (zstd-compressed for `.zst`) in batches of about
/// a megabyte: `header` first, then `count` lines appended by `appendLine`. The file is
/// closed on success and on failure.
func writeGeneratedLines(to path: String, header: [UInt8] = [], count: Int,
                         appendLine: (_ index: Int, _ out: inout [UInt8]) -> Void) throws {
    let batchBytes = 1 << 20
    let writer = try makeByteWriter(path: path)
    var batch: [UInt8] = header
    batch.reserveCapacity(batchBytes + (64 << 10))
    do {
        for index in 0 ..< count {
            appendLine(index, &batch)
            if batch.count >= batchBytes {
                try writer.append(batch)
                batch.removeAll(keepingCapacity: true)
            }
        }
        try writer.append(batch)
        try writer.close()
    } catch {
        try? writer.close()
        throw error
    }
}
