/// Where a job's records come from.
///
/// A source hands out batches in order without ever blocking, and can say where it
/// stands in its splits (`offset`), so that a checkpoint can record it and a restored
/// job can seek back to it. A file source always has a batch until its end; a live one
/// may have nothing for a while (`idle`), and the runner asks its other sources meanwhile.
///
/// A source does not state progress on its batches: the runtime stamps each batch with
/// its offset's `progress` as it takes it (see `Batch.progress`).
public protocol Source<Output> {
    associatedtype Output
    associatedtype Offset: SourceOffset
    /// The next batch, `idle` if there is none now but may be later, or `end` once the
    /// input is finished. Never blocks.
    mutating func poll() throws -> SourcePoll<Output>
    /// Where the source stands after the last batch returned.
    var offset: Offset { get }
    /// Continues from `offset`, an offset this source reported before (recovery).
    mutating func seek(to offset: Offset) throws
}

/// What a source has when asked.
public enum SourcePoll<Output> {
    case batch(Batch<Output>)
    /// Nothing now; the input is not finished (a live stream between messages).
    case idle
    /// Nothing ever again: the end of a finite input.
    case end
}
