import Dataflow

/// Merges streams that stem from one source back into input order.
///
/// Each input must carry its records in input order (by `order`) and forward the
/// source's progress. A record is released once every input's progress has passed its
/// order, so nothing earlier can still arrive on another input; released records
/// are merged by order (ties keep input order). Watermark marks are forwarded as
/// the minimum over the inputs after each release: a conservative watermark, for
/// streams whose consumers take time from the marks; a stage that defines its own
/// watermark over the merged records (`assignWatermarks`) replaces them.
public final class OrderedMerge<Record>: MultiInputOperator {
    public let output = OutputPort<Record>()
    let order: (Record) -> InputOrder
    var pending: [[Record]]
    var pendingHead: [Int]
    var progress: ProgressFrontier
    var watermarks: [Watermark]
    var finishedInputs = 0
    var emitted = Watermark.initial
    var buffer = Batch<Record>()

    public init(inputs: Int, order: @escaping (Record) -> InputOrder) {
        precondition(inputs > 0)
        self.order = order
        pending = Array(repeating: [], count: inputs)
        pendingHead = Array(repeating: 0, count: inputs)
        progress = ProgressFrontier(inputs: inputs)
        watermarks = Array(repeating: .initial, count: inputs)
    }

    /// The consumer to attach to input `index`.
    public func input(_ index: Int) -> OperatorInput<OrderedMerge<Record>> { OperatorInput(self, index: index) }

    public func consume(_ batch: Batch<Record>, from index: Int) throws {
        pending[index].append(contentsOf: batch.records)
        if let last = batch.marks.last { watermarks[index] = last.watermark }
        progress.advance(index, to: batch.progress)
        try release()
    }

    public func finishInput(_ index: Int) throws {
        progress.finish(index)
        watermarks[index] = .end
        finishedInputs += 1
        try release()
        if finishedInputs == pending.count { try output.finish() }
    }

    /// Emits, in input order, every pending record before the least progress.
    func release() throws {
        guard let bound = progress.combined else { return }
        buffer.removeAll()
        while true {
            var next: Int? = nil
            var nextOrder = bound
            for i in pending.indices where pendingHead[i] < pending[i].count {
                let o = order(pending[i][pendingHead[i]])
                if o < nextOrder {
                    next = i
                    nextOrder = o
                }
            }
            guard let i = next else { break }
            buffer.append(pending[i][pendingHead[i]])
            pendingHead[i] += 1
        }
        for i in pending.indices where pendingHead[i] > 0 {
            pending[i].removeFirst(pendingHead[i])
            pendingHead[i] = 0
        }
        let least = watermarks.min() ?? .end
        if least > emitted {
            emitted = least
            buffer.advanceWatermark(to: least)
        }
        buffer.progress = bound
        try output.emit(buffer)
    }
}

extension OrderedMerge: CheckpointedOperator {
    /// Between source batches every input has reached the source's progress, so nothing
    /// is pending: records still held would be lost by a checkpoint, which refuses.
    public func snapshot(into writer: inout StateWriter) throws {
        guard pending.allSatisfy(\.isEmpty) else {
            throw CheckpointError("an ordered merge holds records at a checkpoint: its inputs are not at the source's progress")
        }
        InputsSnapshot(watermarks: watermarks, progress: progress, finished: finishedInputs, emitted: emitted)
            .encode(to: &writer)
    }

    public func restore(from reader: inout StateReader) throws {
        let s = try InputsSnapshot.decode(from: &reader, inputs: pending.count)
        (watermarks, progress, finishedInputs, emitted) = (s.watermarks, s.progress, s.finished, s.emitted)
    }
}

extension Stream {
    /// This stream and `others`, merged back into input order by `order`.
    public func mergeInInputOrder(_ id: OperatorID, _ others: [Stream<Record>],
                                  order: @escaping (Record) -> InputOrder) -> Stream<Record> {
        let op = OrderedMerge<Record>(inputs: others.count + 1, order: order)
        graph.register(id, checkpointing: op)
        port.attach(op.input(0))
        for (i, other) in others.enumerated() { other.port.attach(op.input(i + 1)) }
        return Stream(graph: graph, port: op.output)
    }
}
