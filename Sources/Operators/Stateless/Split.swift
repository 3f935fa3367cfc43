import Dataflow

/// Which of two outputs a record goes to.
public enum Branch<First, Second> {
    case first(First)
    case second(Second)
}

extension Branch: Sendable where First: Sendable, Second: Sendable {}

/// Routes each record to one of two typed outputs (for example valid records and
/// dead letters). Both outputs see every watermark advance.
public final class SplitOperator<Input, First, Second>: BatchConsumer {
    @usableFromInline let route: (Input) -> Branch<First, Second>
    public let first = OutputPort<First>()
    public let second = OutputPort<Second>()
    @usableFromInline var firstBuffer = Batch<First>()
    @usableFromInline var secondBuffer = Batch<Second>()

    public init(_ route: @escaping (Input) -> Branch<First, Second>) { self.route = route }

    @inlinable
    public func consume(_ batch: Batch<Input>) throws {
        let route = self.route
        firstBuffer.removeAll()
        secondBuffer.removeAll()
        batch.forEachEvent(
            record: {
                switch route($0) {
                case .first(let a): firstBuffer.append(a)
                case .second(let b): secondBuffer.append(b)
                }
            },
            watermark: {
                firstBuffer.advanceWatermark(to: $0)
                secondBuffer.advanceWatermark(to: $0)
            })
        firstBuffer.progress = batch.progress
        secondBuffer.progress = batch.progress
        try first.emit(firstBuffer)
        try second.emit(secondBuffer)
    }

    public func finish() throws {
        try first.finish()
        try second.finish()
    }
}

extension Stream {
    /// Splits the stream in two typed branches.
    public func split<A, B>(_ id: OperatorID, _ route: @escaping (Record) -> Branch<A, B>) -> (Stream<A>, Stream<B>) {
        let op = SplitOperator(route)
        attach(id, op)
        return (Stream<A>(graph: graph, port: op.first), Stream<B>(graph: graph, port: op.second))
    }
}
