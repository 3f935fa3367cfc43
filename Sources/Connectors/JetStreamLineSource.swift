import Dataflow
import NATS

/// The lines of a JetStream stream, in stream-sequence order, as the validation stage
/// reads files: one message is one line, its stream sequence the line's number (split 0,
/// named after the stream, so a dead letter's `source` is `TILLFLOW_IN:<sequence>`), its
/// offset the sequence of the next message (`SequenceOffset`).
///
/// It never blocks: with nothing new it is idle, and the runner asks again. A live
/// stream has no end; `endAfter` gives one (the last sequence to read), for tests and
/// for feeding a stored range through a live job.
public struct JetStreamLineSource: LineSource {
    public let consumer: JetStreamPullConsumer
    public let streamName: String
    public let batchLines: Int
    public let endAfter: UInt64?
    public private(set) var linesRead: Int64 = 0
    public private(set) var bytesRead: Int64 = 0

    public init(consumer: JetStreamPullConsumer, batchLines: Int = 4096, endAfter: UInt64? = nil) {
        self.consumer = consumer
        streamName = consumer.stream
        self.batchLines = batchLines
        self.endAfter = endAfter
    }

    public var inputNames: [String] { [streamName] }

    public var offset: SequenceOffset { SequenceOffset(next: Int64(consumer.nextSequence)) }

    public mutating func poll() throws -> SourcePoll<InputLine> {
        var room = batchLines
        if let endAfter {
            let next = consumer.nextSequence
            guard next <= endAfter else { return .end }
            room = min(room, Int(endAfter - next + 1))
        }
        let messages = try consumer.poll(max: room)
        guard !messages.isEmpty else { return .idle }
        var lines: [InputLine] = []
        lines.reserveCapacity(messages.count)
        for message in messages {
            lines.append(.streamMessage(sequence: message.streamSequence, payload: message.payload))
            bytesRead += Int64(message.payload.count)
        }
        linesRead += Int64(lines.count)
        return .batch(Batch(records: lines))
    }

    public mutating func seek(to offset: SequenceOffset) throws {
        consumer.reposition(to: UInt64(max(1, offset.next)))
    }

    public mutating func restoreCounts(linesRead: Int64, bytesRead: Int64) {
        self.linesRead = linesRead
        self.bytesRead = bytesRead
    }
}
