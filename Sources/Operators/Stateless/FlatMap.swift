import Dataflow

/// Turns each record into zero or more records, appended to the output in order.
///
/// The function appends to the output array directly (no array per record); watermark
/// marks move with the records they stood before.
public final class FlatMapOperator<Input, Output>: BatchConsumer {
    @usableFromInline let transform: (Input, inout [Output]) -> Void
    public let output = OutputPort<Output>()
    @usableFromInline var buffer = Batch<Output>()

    public init(_ transform: @escaping (Input, inout [Output]) -> Void) { self.transform = transform }

    @inlinable
    public func consume(_ batch: Batch<Input>) throws {
        let transform = self.transform
        buffer.removeAll()
        batch.forEachEvent(
            record: { transform($0, &buffer.records) },
            watermark: { buffer.advanceWatermark(to: $0) })
        buffer.progress = batch.progress
        try output.emit(buffer)
    }

    public func finish() throws { try output.finish() }
}

extension Stream {
    public func flatMap<T>(_ id: OperatorID, _ transform: @escaping (Record, inout [T]) -> Void) -> Stream<T> {
        let op = FlatMapOperator(transform)
        attach(id, op)
        return Stream<T>(graph: graph, port: op.output)
    }

    /// Keeps the records for which `isIncluded` is true.
    public func filter(_ id: OperatorID, _ isIncluded: @escaping (Record) -> Bool) -> Stream<Record> {
        flatMap(id) { record, out in if isIncluded(record) { out.append(record) } }
    }
}
