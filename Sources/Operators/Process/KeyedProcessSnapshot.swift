import Dataflow

/// The own state of a keyed process operator in a checkpoint (its keyed state is the
/// backend's part): the same bytes whether the operator runs whole or in key partitions,
/// so a checkpoint taken at one parallelism restores at another.
///
///     watermark | forwarded watermark | generates (Bool) | generator? | records seen (UInt64)
///     timer count (UInt64), then per timer in firing order: time | stamp | key | scope
struct KeyedProcessSnapshot<Function: KeyedProcessFunction> {
    typealias TimerKey = ProcessContext<Function>.TimerKey

    var watermark: Watermark
    var forwarded: Watermark
    var generator: BoundedOutOfOrderness?
    /// Records the operator has taken: the stamp of the next one.
    var recordsSeen: UInt64
    /// Every pending timer, in firing order.
    var timers: [(time: Int64, stamp: UInt64, key: TimerKey)]

    func encode(to writer: inout StateWriter) {
        watermark.encode(to: &writer)
        forwarded.encode(to: &writer)
        writer.write(generator != nil)
        generator?.encode(to: &writer)
        writer.write(recordsSeen)
        writer.write(UInt64(timers.count))
        for (time, stamp, timer) in timers {
            writer.write(time)
            writer.write(stamp)
            timer.key.encode(to: &writer)
            timer.scope.encode(to: &writer)
        }
    }

    /// Decodes a snapshot of an operator that does (`generates`) or does not assign
    /// watermarks; a mismatch is an error.
    static func decode(from reader: inout StateReader, generates: BoundedOutOfOrderness?) throws -> KeyedProcessSnapshot {
        let watermark = try Watermark.decode(from: &reader)
        let forwarded = try Watermark.decode(from: &reader)
        guard try reader.readBool() == (generates != nil) else {
            throw CheckpointError("the checkpoint's watermark assignment does not match the operator's")
        }
        var generator = generates
        try generator?.restore(from: &reader)
        let recordsSeen = try reader.readUInt64()
        let count = try reader.readUInt64()
        var timers: [(time: Int64, stamp: UInt64, key: TimerKey)] = []
        for _ in 0 ..< count {
            let time = try reader.readInt64()
            let stamp = try reader.readUInt64()
            let key = try Function.Key.decode(from: &reader)
            let scope = try Function.TimerScope.decode(from: &reader)
            timers.append((time, stamp, TimerKey(key: key, scope: scope)))
        }
        return KeyedProcessSnapshot(watermark: watermark, forwarded: forwarded, generator: generator,
                                    recordsSeen: recordsSeen, timers: timers)
    }
}
