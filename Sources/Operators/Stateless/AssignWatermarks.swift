import Dataflow

/// Gives a stream the watermark of spec section 0 over its own records: each record
/// counts, in stream order, and the watermark after it is the largest event time so far
/// minus the bound. Marks arriving from upstream are replaced, not merged: this is
/// where a stage defines its own event time (the inventory stage counts valid
/// transactions and valid inventory events together).
///
/// Records that are clock readings (`clockReading` gives their time: live.md's clock
/// marks, merged in input order with the records) count like a record with that event
/// time and are not passed on: the stage's watermark moves where they stood.
public final class AssignWatermarks<Record>: BatchConsumer {
    public let output = OutputPort<Record>()
    var generator: BoundedOutOfOrderness
    let eventTime: (Record) -> Int64
    let clockReading: ((Record) -> Int64?)?
    var buffer = Batch<Record>()

    public init(outOfOrdernessMs: Int64, eventTime: @escaping (Record) -> Int64,
                clockReading: ((Record) -> Int64?)? = nil) {
        generator = BoundedOutOfOrderness(boundMs: outOfOrdernessMs)
        self.eventTime = eventTime
        self.clockReading = clockReading
    }

    public func consume(_ batch: Batch<Record>) throws {
        buffer.removeAll()
        for record in batch.records {
            if let clockReading, let time = clockReading(record) {
                if let w = generator.observe(time) { buffer.advanceWatermark(to: w) }
                continue
            }
            buffer.append(record)
            if let w = generator.observe(eventTime(record)) { buffer.advanceWatermark(to: w) }
        }
        buffer.progress = batch.progress
        try output.emit(buffer)
    }

    public func finish() throws { try output.finish() }
}

extension AssignWatermarks: CheckpointedOperator {
    public func snapshot(into writer: inout StateWriter) throws { generator.encode(to: &writer) }
    public func restore(from reader: inout StateReader) throws { try generator.restore(from: &reader) }
}

extension Stream {
    /// Replaces the stream's watermarks with bounded out-of-orderness over its records;
    /// records for which `clockReading` gives a time are clock readings (see
    /// `AssignWatermarks`).
    public func assignWatermarks(_ id: OperatorID, outOfOrdernessMs: Int64,
                                 eventTime: @escaping (Record) -> Int64,
                                 clockReading: ((Record) -> Int64?)? = nil) -> Stream<Record> {
        let op = AssignWatermarks(outOfOrdernessMs: outOfOrdernessMs, eventTime: eventTime, clockReading: clockReading)
        attach(id, op)
        return Stream(graph: graph, port: op.output)
    }
}
