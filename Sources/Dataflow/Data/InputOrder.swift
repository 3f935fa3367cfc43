/// A record's place in its job's input, and the unit in which the runtime states progress.
///
/// A source reads its splits in a fixed order: a file source its files as given, a stream
/// source its one stream partition. `split` is a split's number in that order and
/// `sequence` a record's number within it (a file's line number, a stream's sequence
/// number). Two orders compare by split, then by sequence; `==` agrees with `<`.
///
/// Progress `p` on a batch (`Batch.progress`) says: every record of this stream whose
/// order is before `p` has now been delivered. That is what lets an operator that merges
/// paths of one source (`OrderedMerge`) or a sink that restores input order release a
/// record, without knowing what kind of source it came from.
public struct InputOrder: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var split: Int32
    public var sequence: Int64

    @inlinable
    public init(split: Int32, sequence: Int64) {
        self.split = split
        self.sequence = sequence
    }

    /// Before every record: the progress of a source that has delivered nothing.
    public static let start = InputOrder(split: 0, sequence: 0)
    /// After every record: the progress of a finished input.
    public static let end = InputOrder(split: .max, sequence: .max)

    @inlinable
    public static func < (a: InputOrder, b: InputOrder) -> Bool {
        a.split != b.split ? a.split < b.split : a.sequence < b.sequence
    }

    public var description: String { self == .end ? "end" : "split \(split) #\(sequence)" }
}

extension InputOrder: StateCodable {
    public func encode(to writer: inout StateWriter) {
        writer.write(split)
        writer.write(sequence)
    }

    public static func decode(from reader: inout StateReader) throws -> InputOrder {
        InputOrder(split: try reader.readInt32(), sequence: try reader.readInt64())
    }
}
