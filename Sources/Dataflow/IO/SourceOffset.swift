/// Where a source stands in its splits: what a checkpoint records for it.
///
/// The runtime treats an offset as opaque: it stores its encoding in the checkpoint
/// manifest, hands it back to the source on recovery, and reads from it only the progress
/// it implies. A file source's offset is the byte position and line in its current file
/// (`FileOffset`); a stream's is the sequence number of its next message (`SequenceOffset`).
public protocol SourceOffset: StateCodable, Sendable {
    /// Every record of an order before this has been delivered (see `InputOrder`).
    var progress: InputOrder { get }
}

/// The offset of a source over one split whose records are numbered 1, 2, 3, ...: a
/// stream partition (its sequence numbers) or records in memory.
public struct SequenceOffset: SourceOffset, Hashable, CustomStringConvertible {
    /// The sequence number of the next record to deliver.
    public var next: Int64

    public init(next: Int64) { self.next = next }

    /// Before the first record.
    public static let start = SequenceOffset(next: 1)

    public var progress: InputOrder { InputOrder(split: 0, sequence: next) }

    public var description: String { "next #\(next)" }

    public func encode(to writer: inout StateWriter) { writer.write(next) }

    public static func decode(from reader: inout StateReader) throws -> SequenceOffset {
        SequenceOffset(next: try reader.readInt64())
    }
}
