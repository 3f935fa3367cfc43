/// One location's lines, from its `LocationInbox`, as the job's line source: a run
/// over them is the run `replay` makes over that location's lines alone, in stream
/// order. Split 0, named after the shared stream, numbered by stream sequence.
public struct LocationLineSource: LineSource {
    public let inbox: LocationInbox
    public let streamName: String
    public let batchLines: Int
    public private(set) var linesRead: Int64 = 0
    public private(set) var bytesRead: Int64 = 0

    public init(inbox: LocationInbox, streamName: String, batchLines: Int) {
        self.inbox = inbox
        self.streamName = streamName
        self.batchLines = batchLines
    }

    public var inputNames: [String] { [streamName] }

    public var offset: SequenceOffset { SequenceOffset(next: inbox.next) }

    public mutating func poll() throws -> SourcePoll<InputLine> {
        let lines = inbox.take(max: batchLines)
        if lines.isEmpty { return inbox.isEnded ? .end : .idle }
        linesRead += Int64(lines.count)
        for line in lines { bytesRead += Int64(line.fullLength) }
        return .batch(Batch(records: lines))
    }

    public mutating func seek(to offset: SequenceOffset) throws { inbox.seek(to: offset.next) }

    public mutating func restoreCounts(linesRead: Int64, bytesRead: Int64) {
        self.linesRead = linesRead
        self.bytesRead = bytesRead
    }
}
