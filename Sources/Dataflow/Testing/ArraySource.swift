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
        return .batch(Batch(records: Array(records[nextIndex ..< end]), progress: .line(0, Int64(end) + 1)))
    }

    public mutating func seek(to position: SourcePosition) {
        nextIndex = Int(position.byteOffset)
    }

    public var position: SourcePosition {
        SourcePosition(fileIndex: 0, byteOffset: Int64(nextIndex), lineNumber: Int64(nextIndex) + 1)
    }
}
