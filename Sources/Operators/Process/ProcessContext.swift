import Dataflow

/// What a `KeyedProcessFunction` can see and do while handling a record or a timer:
/// the current watermark, its two outputs and its timers.
public final class ProcessContext<Function: KeyedProcessFunction> {
    public struct TimerKey: Hashable, Sendable {
        public var key: Function.Key
        public var scope: Function.TimerScope
    }

    /// The watermark before the record being processed, or the one that fired the timer.
    public internal(set) var watermark: Watermark = .initial
    /// The last watermark forwarded on the outputs.
    @usableFromInline var forwarded: Watermark = .initial
    @usableFromInline var output = Batch<Function.Output>()
    @usableFromInline var side = Batch<Function.Side>()
    @usableFromInline var timers = TimerQueue<TimerKey>()
    /// The input index of the record the current call stems from: the record being
    /// processed, or the one that created the timer firing. Timers registered now carry it.
    @usableFromInline var stamp: UInt64 = 0

    init() {}

    @inlinable public func emit(_ record: Function.Output) { output.append(record) }

    @inlinable public func emitSide(_ record: Function.Side) { side.append(record) }

    /// Asks for `onTimer` once the watermark reaches `time`. A time the watermark has
    /// already reached fires right after the current record.
    public func registerTimer(at time: Int64, key: Function.Key, scope: Function.TimerScope) {
        timers.register(TimerKey(key: key, scope: scope), at: time, stamp: stamp)
    }

    public func deleteTimer(at time: Int64, key: Function.Key, scope: Function.TimerScope) {
        timers.delete(TimerKey(key: key, scope: scope), at: time)
    }

    public var pendingTimers: Int { timers.count }
}

extension ProcessContext where Function.TimerScope == NoNamespace {
    @inlinable public func registerTimer(at time: Int64, key: Function.Key) {
        registerTimer(at: time, key: key, scope: NoNamespace())
    }
}
