import Dataflow

/// One key's window between records: its accumulator and where its emissions stand.
public struct WindowSlot<Accumulator: StateCodable>: StateCodable {
    public var accumulator: Accumulator
    /// The revision last emitted, -1 before the first emission.
    public var revision: Int32
    public var fired: Bool

    static var version: UInt8 { 1 }

    public func encode(to writer: inout StateWriter) {
        writer.write(Self.version)
        writer.write(revision)
        writer.write(fired)
        accumulator.encode(to: &writer)
    }

    public static func decode(from reader: inout StateReader) throws -> WindowSlot {
        let version = try reader.readUInt8()
        guard version == Self.version else { throw StateDecodingError("unknown window slot version \(version)") }
        let revision = try reader.readInt32()
        let fired = try reader.readBool()
        return WindowSlot(accumulator: try Accumulator.decode(from: &reader), revision: revision, fired: fired)
    }
}

/// Tumbling event-time windows with an aggregate, as a keyed process function.
///
/// Per record, against the watermark before it (spec section 4):
/// - its window has not fired: the record is added; the window's first record
///   registers the timer that fires it when the watermark reaches the window's end
///   (so windows of one end fire in order of their first record);
/// - its window has fired but the watermark is still before end + allowed lateness:
///   the record is added and the window is emitted again at once with the next revision
///   (revision 0 if this record creates it);
/// - otherwise the record goes to the late output with `lateBy = watermark - end`.
/// A window's state is dropped when the watermark reaches end + allowed lateness.
public struct TumblingWindowFunction<Key: StateKey, Aggregator: WindowAggregator>: KeyedProcessFunction {
    public typealias Input = Aggregator.Input
    public typealias Output = WindowResult<Key, Aggregator.Result>
    public typealias Side = LateRecord<Aggregator.Input>
    /// A timer's scope is the end of the window it belongs to.
    public typealias TimerScope = Int64

    public let window: TumblingWindow
    public let aggregator: Aggregator
    public let eventTime: (Aggregator.Input) -> Int64
    var slots: ValueState<Key, Int64, WindowSlot<Aggregator.Accumulator>>!

    public init(window: TumblingWindow, aggregator: Aggregator, eventTime: @escaping (Aggregator.Input) -> Int64) {
        self.window = window
        self.aggregator = aggregator
        self.eventTime = eventTime
    }

    public mutating func open(_ state: StateScope) throws {
        slots = try state.valueState("windows")
    }

    public mutating func processElement(_ input: Input, key: Key, context: ProcessContext<Self>) throws {
        let end = window.end(containing: eventTime(input))
        let watermark = context.watermark
        if !watermark.hasReached(end) {
            try slots.update(key, end) { slot in
                if slot == nil {
                    slot = WindowSlot(accumulator: aggregator.makeAccumulator(), revision: -1, fired: false)
                    context.registerTimer(at: end, key: key, scope: end)
                }
                aggregator.add(input, to: &slot!.accumulator)
            }
            return
        }
        let cleanup = window.cleanupTime(ofWindowEndingAt: end)
        if watermark.hasReached(cleanup) {
            context.emitSide(LateRecord(record: input, windowEnd: end, lateByMs: watermark.time &- end))
            return
        }
        let slot = try slots.update(key, end) { slot -> WindowSlot<Aggregator.Accumulator> in
            if slot == nil {
                slot = WindowSlot(accumulator: aggregator.makeAccumulator(), revision: -1, fired: true)
                context.registerTimer(at: cleanup, key: key, scope: end)
            }
            aggregator.add(input, to: &slot!.accumulator)
            slot!.revision += 1
            return slot!
        }
        emit(slot, key: key, end: end, context: context)
    }

    public mutating func onTimer(_ time: Int64, key: Key, scope end: Int64, context: ProcessContext<Self>) throws {
        if time == end, var slot = try slots.get(key, end), !slot.fired {
            slot.fired = true
            slot.revision = 0
            emit(slot, key: key, end: end, context: context)
            let cleanup = window.cleanupTime(ofWindowEndingAt: end)
            if cleanup == end {
                try slots.remove(key, end)
            } else {
                try slots.put(key, end, slot)
                context.registerTimer(at: cleanup, key: key, scope: end)
            }
        } else {
            try slots.remove(key, end)
        }
    }

    func emit(_ slot: WindowSlot<Aggregator.Accumulator>, key: Key, end: Int64, context: ProcessContext<Self>) {
        context.emit(WindowResult(
            key: key, windowStart: end &- window.sizeMs, windowEnd: end,
            value: aggregator.result(of: slot.accumulator), revision: Int(slot.revision)))
    }
}

/// The outputs of a windowed aggregation.
public struct WindowedStreams<Key, Record, Result> {
    public let results: Stream<WindowResult<Key, Result>>
    public let late: Stream<LateRecord<Record>>
}

extension KeyedStream {
    /// Aggregates each key's records in tumbling event-time windows, in `partitions` key
    /// partitions on threads of their own (`PartitionedProcessOperator`) or in one.
    public func window<A: WindowAggregator>(
        _ id: OperatorID, _ window: TumblingWindow, eventTime: @escaping (Record) -> Int64, aggregate: A,
        partitions: Int = 1
    ) throws -> WindowedStreams<Key, Record, A.Result> where A.Input == Record {
        let streams = try process(id, partitions: partitions) {
            TumblingWindowFunction<Key, A>(window: window, aggregator: aggregate, eventTime: eventTime)
        }
        return WindowedStreams(results: streams.main, late: streams.side)
    }
}
