/// A source fed by hand, batch by batch: idle while nothing is queued, ended once told.
/// What a test harness drives an operator with (`KeyedOperatorHarness`), and the
/// simplest model of a live input.
public struct ScriptedSource<Record>: Source {
    /// The queue the source and the one feeding it share.
    public final class Feed {
        var batches: [Batch<Record>] = []
        var ended = false
        /// Batches handed out so far: the source's offset.
        var delivered = 0

        public init() {}

        public func push(_ batch: Batch<Record>) {
            precondition(!ended, "a batch pushed after the end of the input")
            batches.append(batch)
        }

        /// No more batches: the source ends once the queued ones are handed out.
        public func end() { ended = true }
    }

    let feed: Feed

    public init(_ feed: Feed) { self.feed = feed }

    public mutating func poll() -> SourcePoll<Record> {
        if !feed.batches.isEmpty {
            feed.delivered += 1
            return .batch(feed.batches.removeFirst())
        }
        return feed.ended ? .end : .idle
    }

    /// Batches are the records of its one split: the next one to hand out.
    public var offset: SequenceOffset { SequenceOffset(next: Int64(feed.delivered) + 1) }

    public mutating func seek(to offset: SequenceOffset) { feed.delivered = Int(offset.next) - 1 }
}
