/// A source over records in memory, cut into batches of `batchSize`: for tests and examples.
public struct ArraySource<Record>: Source {
    let records: [Record]
    let batchSize: Int
    var nextIndex = 0

    public init(_ records: [Record], batchSize: Int = 1024) {
        precondition(batchSize > 0)
        self.records = records
        self.batchSize = batchSize
    }

    public mutating func poll() -> SourcePoll<Record> {
        guard nextIndex < records.count else { return .end }
        let end = min(nextIndex + batchSize, records.count)
        defer { nextIndex = end }
        return .batch(Batch(records: Array(records[nextIndex ..< end])))
    }

    public mutating func seek(to offset: SequenceOffset) {
        nextIndex = Int(offset.next) - 1
    }

    /// The array's records are numbered from 1.
    public var offset: SequenceOffset { SequenceOffset(next: Int64(nextIndex) + 1) }
}
