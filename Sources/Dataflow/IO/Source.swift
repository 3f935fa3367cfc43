/// Where a job's records come from.
///
/// A source emits batches in order and can say where it stands, so that a checkpoint
/// can record its position and a restored job can seek back to it.
public protocol Source<Output> {
    associatedtype Output
    /// The next batch, or `nil` at the end of a finite input.
    mutating func next() throws -> Batch<Output>?
    /// The position after the last batch returned.
    var position: SourcePosition { get }
    /// Continues from `position`, a position this source reported before (recovery).
    mutating func seek(to position: SourcePosition) throws
}
