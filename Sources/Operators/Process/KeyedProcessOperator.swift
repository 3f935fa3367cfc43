import Dataflow

/// Where an operator's watermark comes from when the operator itself decides which
/// records count for event time.
///
/// Spec section 0 defines a stage's watermark over the records it *accepts* (for the
/// validation stage: valid, non-duplicate transactions). Acceptance is decided inside
/// the stage, and the stage's own state expiry depends on that watermark, so the
/// generator cannot sit in front of it: it is fused into the operator and fed the
/// operator's main output, record by record.
///
/// A stage with its own watermark has no use for an upstream one; marks on its input
/// are **clock readings** instead (live.md section 1: clock marks): a mark `W` raises
/// the watermark exactly as an accepted record with event time `W.time` would, at its
/// place among the records.
public struct WatermarkAssignment<Record> {
    public var generator: BoundedOutOfOrderness
    public var eventTime: (Record) -> Int64

    public init(outOfOrdernessMs: Int64, eventTime: @escaping (Record) -> Int64) {
        generator = BoundedOutOfOrderness(boundMs: outOfOrdernessMs)
        self.eventTime = eventTime
    }
}

/// Runs a `KeyedProcessFunction` over a keyed stream, record by record in stream order
/// (one `KeyedProcessCore` over the whole key space).
///
/// Every watermark the operator reaches is forwarded on both outputs after the records
/// emitted before it. Records are numbered in the order they arrive: a timer's stamp
/// is the number of the record that created it.
public final class KeyedProcessOperator<Function: KeyedProcessFunction>: BatchConsumer {
    public typealias Input = Function.Input

    let core: KeyedProcessCore<Function>
    /// Records taken so far: the stamp of the next one.
    var recordsSeen: UInt64 = 0
    public let output = OutputPort<Function.Output>()
    public let sideOutput = OutputPort<Function.Side>()

    public init(
        _ function: Function, keyOf: @escaping (Function.Input) -> Function.Key,
        state: StateScope, assigningWatermarks: WatermarkAssignment<Function.Output>? = nil
    ) throws {
        core = try KeyedProcessCore(function, keyOf: keyOf, state: state, assigningWatermarks: assigningWatermarks)
    }

    /// The operator's current watermark.
    public var watermark: Watermark { core.context.watermark }

    public func consume(_ batch: Batch<Function.Input>) throws {
        let core = self.core
        let generates = core.assignment != nil
        try batch.forEachEvent(
            record: { record in
                try core.process(record, stamp: recordsSeen)
                recordsSeen &+= 1
            },
            watermark: { w in
                if generates { try core.readClock(w.time) } else { try core.advance(to: w) }
            })
        core.context.output.progress = batch.progress
        core.context.side.progress = batch.progress
        try flush()
    }

    func flush() throws {
        let context = core.context
        try output.emit(context.output)
        try sideOutput.emit(context.side)
        context.output.removeAll()
        context.side.removeAll()
    }

    public func finish() throws {
        try core.advance(to: .end)
        try flush()
        try output.finish()
        try sideOutput.finish()
    }
}

extension KeyedProcessOperator: CheckpointedOperator {
    /// The watermark (its states' expiries follow it), the fused generator's memory, the
    /// records seen and every pending timer in firing order (`KeyedProcessSnapshot`).
    public func snapshot(into writer: inout StateWriter) throws {
        let context = core.context
        precondition(context.output.records.isEmpty && context.side.records.isEmpty, "checkpoint inside a batch")
        KeyedProcessSnapshot<Function>(
            watermark: context.watermark, forwarded: context.forwarded, generator: core.assignment?.generator,
            recordsSeen: recordsSeen, timers: context.timers.registered()
        ).encode(to: &writer)
    }

    public func restore(from reader: inout StateReader) throws {
        let snapshot = try KeyedProcessSnapshot<Function>.decode(from: &reader, generates: core.assignment?.generator)
        let context = core.context
        context.watermark = snapshot.watermark
        context.forwarded = snapshot.forwarded
        for state in core.states { try state.advance(to: snapshot.watermark) }
        if let generator = snapshot.generator { core.assignment!.generator = generator }
        recordsSeen = snapshot.recordsSeen
        context.timers = TimerQueue()
        for (time, stamp, timer) in snapshot.timers { context.timers.register(timer, at: time, stamp: stamp) }
    }
}

/// The two outputs of a keyed `process` operator.
public struct ProcessedStreams<Output, Side> {
    public let main: Stream<Output>
    public let side: Stream<Side>
}

extension KeyedStream {
    /// Runs `function` over this keyed stream, its state in the job's state backend under `id`.
    public func process<F: KeyedProcessFunction>(
        _ id: OperatorID, _ function: F, assigningWatermarks: WatermarkAssignment<F.Output>? = nil
    ) throws -> ProcessedStreams<F.Output, F.Side> where F.Key == Key, F.Input == Record {
        let graph = stream.graph
        let op = try KeyedProcessOperator(
            function, keyOf: keyOf, state: StateScope(operatorID: id, backend: graph.state),
            assigningWatermarks: assigningWatermarks)
        stream.attach(id, op)  // registers it for checkpoints too
        return ProcessedStreams(main: Stream(graph: graph, port: op.output), side: Stream(graph: graph, port: op.sideOutput))
    }
}
