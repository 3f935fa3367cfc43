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

/// What a multi-input operator knows of its inputs (each one's watermark and progress,
/// how many have finished, the watermark it last emitted), as its checkpoints hold it.
struct InputsSnapshot {
    var watermarks: [Watermark]
    var progress: ProgressFrontier
    var finished: Int
    var emitted: Watermark

    func encode(to writer: inout StateWriter) {
        writer.write(UInt32(watermarks.count))
        for w in watermarks { w.encode(to: &writer) }
        progress.encode(to: &writer)
        writer.write(Int64(finished))
        emitted.encode(to: &writer)
    }

    /// Reads a snapshot of an operator with `inputs` inputs; another count is an error.
    static func decode(from reader: inout StateReader, inputs: Int) throws -> InputsSnapshot {
        guard Int(try reader.readUInt32()) == inputs else {
            throw CheckpointError("the checkpointed operator had another number of inputs than \(inputs)")
        }
        var snapshot = InputsSnapshot(watermarks: [], progress: ProgressFrontier(inputs: inputs), finished: 0, emitted: .initial)
        for _ in 0 ..< inputs { snapshot.watermarks.append(try Watermark.decode(from: &reader)) }
        snapshot.progress = try ProgressFrontier.decode(from: &reader)
        guard snapshot.progress.inputs.count == inputs else {
            throw CheckpointError("the checkpointed operator's progress has \(snapshot.progress.inputs.count) inputs, not \(inputs)")
        }
        snapshot.finished = Int(try reader.readInt64())
        snapshot.emitted = try Watermark.decode(from: &reader)
        return snapshot
    }
}
