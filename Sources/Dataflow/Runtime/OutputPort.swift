/// One output of an operator, and the consumers attached to it.
///
/// Batches are handed to each consumer in the order they were attached; with several
/// consumers the batch's arrays are shared, not copied. The type is erased once per
/// consumer per batch, never per record.
public final class OutputPort<Record> {
    public private(set) var consumers: [any BatchConsumer<Record>] = []

    public init() {}

    public func attach(_ consumer: any BatchConsumer<Record>) {
        consumers.append(consumer)
    }

    public var isAttached: Bool { !consumers.isEmpty }

    @inlinable
    public func emit(_ batch: Batch<Record>) throws {
        if batch.isEmpty { return }
        for consumer in consumers { try consumer.consume(batch) }
    }

    public func finish() throws {
        for consumer in consumers { try consumer.finish() }
    }
}
