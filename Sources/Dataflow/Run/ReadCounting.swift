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
