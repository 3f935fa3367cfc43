import Dataflow

/// Merges several streams of one type into one.
///
/// Records pass through in the order they arrive. The output watermark is the
/// minimum over the inputs' watermarks, so no input is overtaken; a finished input
/// stops holding the others back, and the output finishes when every input has.
public final class UnionOperator<Record>: MultiInputOperator {
    public let output = OutputPort<Record>()
    var inputWatermarks: [Watermark]
    var progress: ProgressFrontier
    var finishedInputs = 0
    var emitted = Watermark.initial
    var buffer = Batch<Record>()

    public init(inputs: Int) {
        precondition(inputs > 0)
        inputWatermarks = Array(repeating: .initial, count: inputs)
        progress = ProgressFrontier(inputs: inputs)
    }

    /// The consumer to attach to input `index`.
    public func input(_ index: Int) -> OperatorInput<UnionOperator<Record>> { OperatorInput(self, index: index) }

    private var combined: Watermark { inputWatermarks.min() ?? .end }

    public func consume(_ batch: Batch<Record>, from index: Int) throws {
        buffer.removeAll()
        batch.forEachEvent(
            record: { buffer.append($0) },
            watermark: {
                inputWatermarks[index] = $0
                advanceIfCombinedMoved()
            })
        progress.advance(index, to: batch.progress)
        buffer.progress = progress.combined
        try output.emit(buffer)
    }

    private func advanceIfCombinedMoved() {
        let now = combined
        if now > emitted {
            emitted = now
            buffer.advanceWatermark(to: now)
        }
    }

    public func finishInput(_ index: Int) throws {
        inputWatermarks[index] = .end
        progress.finish(index)
        finishedInputs += 1
        if finishedInputs == inputWatermarks.count {
            try output.finish()
        } else {
            buffer.removeAll()
            advanceIfCombinedMoved()
            buffer.progress = progress.combined
            try output.emit(buffer)
        }
    }
}

extension UnionOperator: CheckpointedOperator {
    public func snapshot(into writer: inout StateWriter) throws {
        InputsSnapshot(watermarks: inputWatermarks, progress: progress, finished: finishedInputs, emitted: emitted)
            .encode(to: &writer)
    }

    public func restore(from reader: inout StateReader) throws {
        let s = try InputsSnapshot.decode(from: &reader, inputs: inputWatermarks.count)
        (inputWatermarks, progress, finishedInputs, emitted) = (s.watermarks, s.progress, s.finished, s.emitted)
    }
}

extension Stream {
    /// This stream and `others`, merged.
    public func union(_ id: OperatorID, _ others: Stream<Record>...) -> Stream<Record> {
        let op = UnionOperator<Record>(inputs: others.count + 1)
        graph.register(id, checkpointing: op)
        port.attach(op.input(0))
        for (i, other) in others.enumerated() { other.port.attach(op.input(i + 1)) }
        return Stream(graph: graph, port: op.output)
    }
}
