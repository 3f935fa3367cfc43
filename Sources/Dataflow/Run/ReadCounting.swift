/// A source that counts what it has read, for a run's progress and summary. Its counts
/// are checkpointed by the run's statistics and put back on restore, so that they cover
/// the whole input, not only what one process read.
public protocol ReadCounting: AnyObject {
    /// Input records read so far (lines of the input files).
    var linesRead: Int64 { get }
    /// Input bytes read so far (decompressed).
    var bytesRead: Int64 { get }
    /// Sets the counts of a restored run.
    func restoreCounts(linesRead: Int64, bytesRead: Int64)
}

extension ReadCounting {
    /// Writes the counts, for a run's statistics to checkpoint first.
    public func snapshotCounts(into writer: inout StateWriter) {
        writer.write(linesRead)
        writer.write(bytesRead)
    }

    /// Puts back what `snapshotCounts` wrote.
    public func restoreCounts(from reader: inout StateReader) throws {
        let lines = try reader.readInt64()
        let bytes = try reader.readInt64()
        restoreCounts(linesRead: lines, bytesRead: bytes)
    }
}
