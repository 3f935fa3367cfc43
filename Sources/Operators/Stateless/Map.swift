import Dataflow

/// Applies a function to every record; watermark marks keep their positions.
public final class MapOperator<Input, Output>: BatchConsumer {
    @usableFromInline let transform: (Input) -> Output
    public let output = OutputPort<Output>()

    public init(_ transform: @escaping (Input) -> Output) { self.transform = transform }

    @inlinable
    public func consume(_ batch: Batch<Input>) throws {
        let transform = self.transform
        try output.emit(Batch(records: batch.records.map(transform), marks: batch.marks, progress: batch.progress))
    }

    public func finish() throws { try output.finish() }
}

extension Stream {
    public func map<T>(_ id: OperatorID, _ transform: @escaping (Record) -> T) -> Stream<T> {
        let op = MapOperator(transform)
        attach(id, op)
        return Stream<T>(graph: graph, port: op.output)
    }
}
