import Dataflow

/// An operator with several inputs of one record type, told which input a batch is on.
public protocol MultiInputOperator: AnyObject {
    associatedtype Record
    func consume(_ batch: Batch<Record>, from input: Int) throws
    func finishInput(_ input: Int) throws
}

/// One input of a multi-input operator, as a consumer to attach upstream.
public final class OperatorInput<Operator: MultiInputOperator>: BatchConsumer {
    let target: Operator
    let index: Int

    public init(_ target: Operator, index: Int) {
        self.target = target
        self.index = index
    }

    public func consume(_ batch: Batch<Operator.Record>) throws { try target.consume(batch, from: index) }
    public func finish() throws { try target.finishInput(index) }
}
