import Dataflow

/// Merges streams that stem from one source back into input order.
///
/// Each input must carry its records in input order (by `position`) and forward the
/// source's progress. A record is released once every input's progress has passed its
/// position, so nothing earlier can still arrive on another input; released records
/// are merged by position (ties keep input order). Watermark marks are forwarded as
/// the minimum over the inputs after each release: a conservative watermark, for
/// streams whose consumers take time from the marks; a stage that defines its own
/// watermark over the merged records (`assignWatermarks`) replaces them.
public final class OrderedMerge<Record>: MultiInputOperator {
    public let output = OutputPort<Record>()
    let position: (Record) -> SourcePosition
    var pending: [[Record]]
    var pendingHead: [Int]
    var progress: [SourcePosition?]
    var watermarks: [Watermark]
    var finishedInputs = 0
    var emitted = Watermark.initial
    var buffer = Batch<Record>()

    public init(inputs: Int, position: @escaping (Record) -> SourcePosition) {
        precondition(inputs > 0)
        self.position = position
        pending = Array(repeating: [], count: inputs)
        pendingHead = Array(repeating: 0, count: inputs)
        progress = Array(repeating: nil, count: inputs)
        watermarks = Array(repeating: .initial, count: inputs)
    }

    /// The consumer to attach to input `index`.
    public func input(_ index: Int) -> OperatorInput<OrderedMerge<Record>> { OperatorInput(self, index: index) }

    public func consume(_ batch: Batch<Record>, from index: Int) throws {
        pending[index].append(contentsOf: batch.records)
        if let last = batch.marks.last { watermarks[index] = last.watermark }
        if let p = batch.progress { progress[index] = p }
        try release()
    }

    public func finishInput(_ index: Int) throws {
        progress[index] = .end
        watermarks[index] = .end
        finishedInputs += 1
        try release()
        if finishedInputs == pending.count { try output.finish() }
    }

    /// Emits, in input order, every pending record before the least progress.
    func release() throws {
        var bound = SourcePosition.end
        for p in progress {
            guard let p else { return }
            bound = min(bound, p)
        }
        buffer.removeAll()
        while true {
            var next: Int? = nil
            var nextPosition = bound
            for i in pending.indices where pendingHead[i] < pending[i].count {
                let p = position(pending[i][pendingHead[i]])
                if p < nextPosition {
                    next = i
                    nextPosition = p
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
    /// This stream and `others`, merged back into input order by `position`.
    public func mergeInInputOrder(_ id: OperatorID, _ others: [Stream<Record>],
                                  position: @escaping (Record) -> SourcePosition) -> Stream<Record> {
        let op = OrderedMerge<Record>(inputs: others.count + 1, position: position)
        graph.register(id, checkpointing: op)
        port.attach(op.input(0))
        for (i, other) in others.enumerated() { other.port.attach(op.input(i + 1)) }
        return Stream(graph: graph, port: op.output)
    }
}
