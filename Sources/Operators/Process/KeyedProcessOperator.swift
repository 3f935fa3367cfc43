import Dataflow

/// Where an operator's watermark comes from when the operator itself decides which
/// records count for event time.
///
/// Spec section 0 defines a stage's watermark over the records it *accepts* (for the
/// validation stage: valid, non-duplicate transactions). Acceptance is decided inside
/// the stage, and the stage's own state expiry depends on that watermark, so the
/// generator cannot sit in front of it: it is fused into the operator and fed the
/// operator's main output, record by record.
public struct WatermarkAssignment<Record> {
    public var generator: BoundedOutOfOrderness
    public var eventTime: (Record) -> Int64

    public init(outOfOrdernessMs: Int64, eventTime: @escaping (Record) -> Int64) {
        generator = BoundedOutOfOrderness(boundMs: outOfOrdernessMs)
        self.eventTime = eventTime
    }
}

/// Runs a `KeyedProcessFunction` over a keyed stream, record by record in stream order.
///
/// What holds, per record: timers due at the watermark before the record have fired;
/// the function sees that watermark; then timers that became due (registered in the
/// past, or by a watermark the record raised) fire in time order. Every watermark the
/// operator reaches is forwarded on both outputs after the records emitted before it.
public final class KeyedProcessOperator<Function: KeyedProcessFunction>: BatchConsumer {
    public typealias Input = Function.Input

    @usableFromInline var function: Function
    @usableFromInline let keyOf: (Function.Input) -> Function.Key
    @usableFromInline let context = ProcessContext<Function>()
    @usableFromInline var assignment: WatermarkAssignment<Function.Output>?
    /// The function's states, whose entry expiries follow the operator's watermark.
    let states: [any WatermarkedState]
    public let output = OutputPort<Function.Output>()
    public let sideOutput = OutputPort<Function.Side>()

    public init(
        _ function: Function, keyOf: @escaping (Function.Input) -> Function.Key,
        state: StateScope, assigningWatermarks: WatermarkAssignment<Function.Output>? = nil
    ) throws {
        self.function = function
        self.keyOf = keyOf
        self.assignment = assigningWatermarks
        try self.function.open(state)
        states = state.states
    }

    /// The operator's current watermark.
    public var watermark: Watermark { context.watermark }


    public func consume(_ batch: Batch<Function.Input>) throws {
        let generates = assignment != nil
        try batch.forEachEvent(
            record: { record in
                let emittedBefore = context.output.records.count
                try function.processElement(record, key: keyOf(record), context: context)
                var raised: Watermark? = nil
                if assignment != nil {
                    let out = context.output.records
                    for i in emittedBefore ..< out.count {
                        if let w = assignment!.generator.observe(assignment!.eventTime(out[i])) { raised = w }
                    }
                }
                try advance(to: raised ?? context.watermark)
            },
            watermark: { w in
                if !generates { try advance(to: w) }
            })
        context.output.progress = batch.progress
        context.side.progress = batch.progress
        try flush()
    }

    /// Moves the watermark to `w` (never backwards) and fires every timer due.

    func advance(to w: Watermark) throws {
        if w > context.watermark {
            context.watermark = w
            for state in states { try state.advance(to: w) }
        }
        while let (time, timer) = context.timers.popDue(at: context.watermark) {
            try function.onTimer(time, key: timer.key, scope: timer.scope, context: context)
        }
        if context.watermark > context.forwarded {
            context.forwarded = context.watermark
            context.output.advanceWatermark(to: context.watermark)
            context.side.advanceWatermark(to: context.watermark)
        }
    }

    @usableFromInline
    func flush() throws {
        try output.emit(context.output)
        try sideOutput.emit(context.side)
        context.output.removeAll()
        context.side.removeAll()
    }

    public func finish() throws {
        try advance(to: .end)
        try flush()
        try output.finish()
        try sideOutput.finish()
    }
}

extension KeyedProcessOperator: CheckpointedOperator {
    /// The watermark (its states' expiries follow it), the fused generator's memory and
    /// every pending timer in firing order; keyed state is the backend's part.
    public func snapshot(into writer: inout StateWriter) throws {
        precondition(context.output.records.isEmpty && context.side.records.isEmpty, "checkpoint inside a batch")
        context.watermark.encode(to: &writer)
        context.forwarded.encode(to: &writer)
        writer.write(assignment != nil)
        assignment?.generator.encode(to: &writer)
        let timers = context.timers.registered()
        writer.write(UInt64(timers.count))
        for (time, timer) in timers {
            writer.write(time)
            timer.key.encode(to: &writer)
            timer.scope.encode(to: &writer)
        }
    }

    public func restore(from reader: inout StateReader) throws {
        let watermark = try Watermark.decode(from: &reader)
        context.watermark = watermark
        context.forwarded = try Watermark.decode(from: &reader)
        for state in states { try state.advance(to: watermark) }
        let generates = try reader.readBool()
        guard generates == (assignment != nil) else {
            throw CheckpointError("the checkpoint's watermark assignment does not match the operator's")
        }
        try assignment?.generator.restore(from: &reader)
        context.timers = TimerQueue()
        let count = try reader.readUInt64()
        for _ in 0 ..< count {
            let time = try reader.readInt64()
            let key = try Function.Key.decode(from: &reader)
            let scope = try Function.TimerScope.decode(from: &reader)
            context.timers.register(ProcessContext<Function>.TimerKey(key: key, scope: scope), at: time)
        }
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
