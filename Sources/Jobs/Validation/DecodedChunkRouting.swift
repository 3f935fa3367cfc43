import Dataflow

/// Sends the parts of decoded chunks on their ways: transactions to dedup, dead letters
/// to the invalid output, inventory events to the inventory stage, clock marks to the
/// inventory stage and, as readings on the transactions, to dedup. Each output batch
/// carries the chunk's progress, even when empty, so that order-restoring operators
/// downstream learn that nothing earlier is still to come.
///
/// It unzips the chunk's columns rather than routing record by record (`split`): the
/// decoder already sorted each line into its column, and the arrays pass on uncopied.
public final class DecodedChunkRouting: BatchConsumer {
    /// Transactions, with the clock marks among them as marks: the validation stage
    /// assigns its own watermark and reads marks on its input as clock readings
    /// (`WatermarkAssignment`).
    public let valid = OutputPort<Transaction>()
    public let invalid = OutputPort<DeadLetter>()
    public let events = OutputPort<InventoryEvent>()
    public let clocks = OutputPort<ClockMark>()

    public init() {}

    public func consume(_ batch: Batch<DecodedChunk>) throws {
        var chunk = batch.records.first ?? DecodedChunk()
        for more in batch.records.dropFirst() { chunk.append(more) }
        try valid.emit(Batch(records: chunk.transactions, marks: Self.readings(chunk), progress: batch.progress))
        try invalid.emit(Batch(records: chunk.rejected, progress: batch.progress))
        try events.emit(Batch(records: chunk.events, progress: batch.progress))
        try clocks.emit(Batch(records: chunk.clocks, progress: batch.progress))
    }

    /// The chunk's clock marks as marks among its transactions. A reading no higher
    /// than an earlier one of the chunk is left out: the watermark takes the largest
    /// reading so far, so it could not move it.
    static func readings(_ chunk: DecodedChunk) -> [WatermarkMark] {
        var marks: [WatermarkMark] = []
        for (clock, position) in zip(chunk.clocks, chunk.clockPositions) {
            let reading = Watermark(clock.time)
            if let last = marks.last {
                guard reading > last.watermark else { continue }
                if last.index == position {
                    marks[marks.count - 1].watermark = reading
                    continue
                }
            }
            marks.append(WatermarkMark(index: position, watermark: reading))
        }
        return marks
    }

    public func finish() throws {
        try valid.finish()
        try invalid.finish()
        try events.finish()
        try clocks.finish()
    }
}
