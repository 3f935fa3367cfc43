import Dataflow

/// Sends the parts of decoded chunks on their ways: transactions to dedup, dead letters
/// to the invalid output, inventory events to the inventory stage. Each output batch
/// carries the chunk's progress, even when empty, so that order-restoring operators
/// downstream learn that nothing earlier is still to come.
public final class DecodedChunkRouting: BatchConsumer {
    public let valid = OutputPort<Transaction>()
    public let invalid = OutputPort<DeadLetter>()
    public let events = OutputPort<InventoryEvent>()

    public init() {}

    public func consume(_ batch: Batch<DecodedChunk>) throws {
        var chunk = batch.records.first ?? DecodedChunk()
        for more in batch.records.dropFirst() {
            chunk.transactions += more.transactions
            chunk.rejected += more.rejected
            chunk.events += more.events
        }
        try valid.emit(Batch(records: chunk.transactions, progress: batch.progress))
        try invalid.emit(Batch(records: chunk.rejected, progress: batch.progress))
        try events.emit(Batch(records: chunk.events, progress: batch.progress))
    }

    public func finish() throws {
        try valid.finish()
        try invalid.finish()
        try events.finish()
    }
}
