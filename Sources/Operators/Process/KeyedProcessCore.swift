import Dataflow

/// One instance of a keyed process function with what it runs on: its context
/// (watermark, timers, pending outputs), its states and, for a stage that decides which
/// records count for event time, the fused watermark generator.
///
/// A `KeyedProcessOperator` runs one core over the whole key space; a
/// `PartitionedProcessOperator` runs one per key partition, each on a thread of its own.
///
/// What holds, per record: timers due at the watermark before the record have fired;
/// the function sees that watermark; then the timers that became due (registered in
/// the past, or by a watermark the record raised) fire in (time, stamp) order.
final class KeyedProcessCore<Function: KeyedProcessFunction> {
    var function: Function
    let keyOf: (Function.Input) -> Function.Key
    let context = ProcessContext<Function>()
    var assignment: WatermarkAssignment<Function.Output>?
    /// The function's states, whose entry expiries follow the core's watermark.
    let states: [any WatermarkedState]
    /// Set when the outputs are merged with other partitions' (`EmissionSegment`).
    var segments: [EmissionSegment]? = nil
    /// The event the core is at, for `segments`.
    var event: Int32 = 0

    init(_ function: Function, keyOf: @escaping (Function.Input) -> Function.Key, state: StateScope,
         assigningWatermarks: WatermarkAssignment<Function.Output>?) throws {
        self.function = function
        self.keyOf = keyOf
        self.assignment = assigningWatermarks
        try self.function.open(state)
        states = state.states
    }

    /// Processes one record, the one with input index `stamp`.
    func process(_ record: Function.Input, stamp: UInt64) throws {
        let emittedBefore = context.output.records.count
        let sideBefore = context.side.records.count
        context.stamp = stamp
        try function.processElement(record, key: keyOf(record), context: context)
        var raised: Watermark? = nil
        if assignment != nil {
            let out = context.output.records
            for i in emittedBefore ..< out.count {
                if let w = assignment!.generator.observe(assignment!.eventTime(out[i])) { raised = w }
            }
        }
        if segments != nil { endSegment(time: .min, stamp: stamp, since: emittedBefore, sideBefore) }
        try advance(to: raised ?? context.watermark)
    }

    /// A clock reading on the input of a core that assigns its own watermark: counts as
    /// an accepted record with event time `time` would, then fires every timer due.
    func readClock(_ time: Int64) throws {
        if let w = assignment!.generator.observe(time) { try advance(to: w) }
    }

    /// Moves the watermark to `w` (never backwards) and fires every timer due.
    func advance(to w: Watermark) throws {
        if w > context.watermark {
            context.watermark = w
            for state in states { try state.advance(to: w) }
        }
        while let (time, stamp, timer) = context.timers.popDue(at: context.watermark) {
            let emittedBefore = context.output.records.count
            let sideBefore = context.side.records.count
            context.stamp = stamp
            try function.onTimer(time, key: timer.key, scope: timer.scope, context: context)
            if segments != nil { endSegment(time: time, stamp: stamp, since: emittedBefore, sideBefore) }
        }
        if context.watermark > context.forwarded {
            context.forwarded = context.watermark
            context.output.advanceWatermark(to: context.watermark)
            context.side.advanceWatermark(to: context.watermark)
        }
    }

    private func endSegment(time: Int64, stamp: UInt64, since main: Int, _ side: Int) {
        let mainEnd = context.output.records.count, sideEnd = context.side.records.count
        guard mainEnd != main || sideEnd != side else { return }
        segments!.append(EmissionSegment(event: event, time: time, stamp: stamp,
                                         mainEnd: Int32(mainEnd), sideEnd: Int32(sideEnd)))
    }
}

/// Where the emissions of one call of a partition's function end in its outputs, and
/// the key that orders them among all partitions' emissions: the event of the input
/// batch that caused them, then (for timers) the timer's time and stamp. A record's own
/// emissions have time `Int64.min`: they come before the timers it makes due.
struct EmissionSegment: Sendable {
    var event: Int32
    var time: Int64
    var stamp: UInt64
    var mainEnd: Int32
    var sideEnd: Int32

    @inline(__always)
    func precedes(_ other: EmissionSegment) -> Bool {
        if event != other.event { return event < other.event }
        if time != other.time { return time < other.time }
        return stamp < other.stamp
    }
}
