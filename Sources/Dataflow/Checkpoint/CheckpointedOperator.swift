/// An operator that holds something outside the state backend from one batch to the
/// next (its watermark, its timers, a generator's largest event time, a sink's count)
/// and so must put it into checkpoints.
///
/// Checkpoints are taken between source batches, when every operator call has returned
/// (the runner is synchronous): no record is in flight, and an operator that buffers
/// records (an ordered merge) has released every record before the source's progress.
/// An operator that still holds records then throws instead of losing them.
public protocol CheckpointedOperator: AnyObject {
    /// Writes the operator's own part of a checkpoint in the state codec.
    func snapshot(into writer: inout StateWriter) throws
    /// Puts back what `snapshot` wrote, into an operator just built by the same job.
    func restore(from reader: inout StateReader) throws
}

extension Watermark: StateCodable {
    public func encode(to writer: inout StateWriter) { writer.write(time) }
    public static func decode(from reader: inout StateReader) throws -> Watermark { Watermark(try reader.readInt64()) }
}

extension Optional where Wrapped: StateCodable {
    public func encode(to writer: inout StateWriter) {
        switch self {
        case .none: writer.write(false)
        case .some(let value):
            writer.write(true)
            value.encode(to: &writer)
        }
    }

    public static func decode(from reader: inout StateReader) throws -> Wrapped? {
        try reader.readBool() ? try Wrapped.decode(from: &reader) : nil
    }
}

extension BoundedOutOfOrderness {
    /// The generator's only memory: the largest event time observed.
    public func encode(to writer: inout StateWriter) { writer.write(maxEventTime) }

    public mutating func restore(from reader: inout StateReader) throws { _maxEventTime = try reader.readInt64() }
}
