/// A consumer with its type erased into two closures.
///
/// The closures are made where the consumer's concrete type is known (a generic context
/// that the compiler specializes), so the call behind them is direct and specialized; a
/// protocol existential would instead run the consumer's generic methods unspecialized.
public struct AnyBatchConsumer<Record> {
    public let consume: (Batch<Record>) throws -> Void
    public let finish: () throws -> Void

    @inlinable
    public init<C: BatchConsumer>(_ consumer: C) where C.Input == Record {
        consume = { try consumer.consume($0) }
        finish = { try consumer.finish() }
    }
}

/// One output of an operator, and the consumers attached to it.
///
/// Batches are handed to each consumer in the order they were attached; with several
/// consumers the batch's arrays are shared, not copied. The type is erased once per
/// consumer per batch, never per record.
public final class OutputPort<Record> {
    public private(set) var consumers: [AnyBatchConsumer<Record>] = []

    public init() {}

    @inlinable
    public func attach<C: BatchConsumer>(_ consumer: C) where C.Input == Record {
        attach(AnyBatchConsumer(consumer))
    }

    public func attach(_ consumer: AnyBatchConsumer<Record>) {
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
