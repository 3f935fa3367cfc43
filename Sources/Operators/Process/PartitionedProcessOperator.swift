import Dataflow
import Dispatch

/// Runs a keyed process function split into key partitions, each on a thread of its
/// own: what `--parallelism N` does to a keyed operator (the turnover windows).
///
/// Each partition owns a contiguous range of key groups (`KeyGroupRange.of(task:of:)`),
/// with its own instance of the function, its own timers and its own states
/// (`StateScope.groups`). Per batch, the operator routes each record to the partition
/// of its key's group, every partition sees every watermark mark, and the partitions
/// run at once (the first on the caller's thread); then their emissions are merged
/// into the order one instance would have emitted them in, and sent on.
///
/// Why the merge restores that order exactly: a record's own emissions come from its
/// key's partition only, so emissions are ordered by the input event that caused them;
/// at a watermark mark, every partition fires its due timers in (time, stamp) order,
/// and a timer's stamp is the input index of the record that created it (`TimerQueue`),
/// which is the same in every partition and in one instance. So the outputs are those
/// of `KeyedProcessOperator` byte for byte, and its checkpoint is the same
/// `KeyedProcessSnapshot`: a checkpoint taken at one parallelism restores at another.
///
/// What the function must do for this to hold: register timers only for the key it was
/// called with (the partition holds no other key's state). The operator assigns no
/// watermarks (a stage that does is a sequential spine, like dedup).
///
/// A batch is done when `consume` returns: nothing is in flight between batches, so
/// the operator is not a `ThreadBoundary` and checkpoints need no drain for it.
public final class PartitionedProcessOperator<Function: KeyedProcessFunction>: BatchConsumer {
    public typealias Input = Function.Input

    /// One partition: a function instance over one range of key groups, and the records
    /// of the current batch it owns.
    final class Partition {
        let core: KeyedProcessCore<Function>
        let groups: KeyGroupRange
        /// Positions in the current batch of the records whose keys this partition owns.
        var positions: [Int32] = []
        /// What the partition's last run threw; the operator rethrows it.
        var failure: (any Error)?

        init(core: KeyedProcessCore<Function>, groups: KeyGroupRange) {
            self.core = core
            self.groups = groups
            core.segments = []
        }

        /// Processes this partition's records of `batch` and every mark, the records
        /// numbered from `firstStamp`; events are numbered as in the whole batch.
        func run(_ batch: Batch<Input>, firstStamp: UInt64) {
            let core = self.core
            core.segments!.removeAll(keepingCapacity: true)
            core.context.output.removeAll()
            core.context.side.removeAll()
            do {
                let marks = batch.marks
                var m = 0
                for p in positions {
                    let i = Int(p)
                    while m < marks.count && marks[m].index <= i {
                        core.event = Int32(marks[m].index + m)
                        try core.advance(to: marks[m].watermark)
                        m += 1
                    }
                    core.event = Int32(i + m)
                    try core.process(batch.records[i], stamp: firstStamp &+ UInt64(i))
                }
                while m < marks.count {
                    core.event = Int32(marks[m].index + m)
                    try core.advance(to: marks[m].watermark)
                    m += 1
                }
            } catch {
                failure = error
            }
        }
    }

    let partitions: [Partition]
    /// The partition of each key group.
    let partitionOfGroup: [UInt8]
    let keyOf: (Input) -> Function.Key
    /// Threads of partitions 1 ..< n; partition 0 runs on the caller's.
    let queues: [DispatchQueue]
    var scratch = StateWriter(capacity: 64)
    /// Records taken so far: the stamp of the next one.
    var recordsSeen: UInt64 = 0
    var watermark: Watermark = .initial
    var forwarded: Watermark = .initial
    public let output = OutputPort<Function.Output>()
    public let sideOutput = OutputPort<Function.Side>()

    /// - Parameter makeFunction: a fresh function instance for each partition.
    public init(partitions n: Int, operatorID: OperatorID, backend: any StateBackend,
                keyOf: @escaping (Input) -> Function.Key, makeFunction: () -> Function) throws {
        precondition(n >= 1 && n <= 255 && n <= KeyGroup.count, "partitions: 1 ... 255")
        var partitions: [Partition] = []
        var partitionOfGroup = [UInt8](repeating: 0, count: KeyGroup.count)
        for task in 0 ..< n {
            let groups = KeyGroupRange.of(task: task, of: n)
            for g in groups.lowerBound ... groups.upperBound { partitionOfGroup[Int(g)] = UInt8(task) }
            let scope = StateScope(operatorID: operatorID, backend: backend, groups: groups)
            let core = try KeyedProcessCore(makeFunction(), keyOf: keyOf, state: scope, assigningWatermarks: nil)
            partitions.append(Partition(core: core, groups: groups))
        }
        self.partitions = partitions
        self.partitionOfGroup = partitionOfGroup
        self.keyOf = keyOf
        queues = (1 ..< n).map { DispatchQueue(label: "tillflow.\(operatorID).\($0)") }
    }

    public func consume(_ batch: Batch<Input>) throws {
        for partition in partitions { partition.positions.removeAll(keepingCapacity: true) }
        for (i, record) in batch.records.enumerated() {
            partition(of: keyOf(record)).positions.append(Int32(i))
        }
        let firstStamp = recordsSeen
        try runPartitions { $0.run(batch, firstStamp: firstStamp) }
        recordsSeen &+= UInt64(batch.records.count)
        try emitMerged(marks: batch.marks, progress: batch.progress)
    }

    /// The partition owning `key`: the one whose range holds the key's group.
    func partition(of key: Function.Key) -> Partition {
        partitions[Int(partitionOfGroup[Int(KeyGroup(of: key, scratch: &scratch).index)])]
    }

    public func finish() throws {
        for partition in partitions { partition.positions.removeAll() }
        let end = Batch<Input>(records: [], marks: [WatermarkMark(index: 0, watermark: .end)])
        try runPartitions { $0.run(end, firstStamp: self.recordsSeen) }
        try emitMerged(marks: end.marks, progress: nil)
        try output.finish()
        try sideOutput.finish()
    }

    /// Runs `body` for every partition at once and waits for all of them; then throws
    /// the first partition's failure, if any (no partition is still running by then).
    func runPartitions(_ body: @escaping (Partition) -> Void) throws {
        let group = DispatchGroup()
        for (queue, partition) in zip(queues, partitions.dropFirst()) {
            queue.async(group: group) { body(partition) }
        }
        body(partitions[0])
        group.wait()
        for partition in partitions {
            if let failure = partition.failure {
                partition.failure = nil
                throw failure
            }
        }
    }

    /// Sends on the partitions' emissions in the order one instance would have made them:
    /// by causing event, then by the firing timer's (time, stamp); each watermark mark
    /// after the emissions of its event.
    func emitMerged(marks: [WatermarkMark], progress: InputOrder?) throws {
        var main = Batch<Function.Output>(), side = Batch<Function.Side>()
        var next = [Int](repeating: 0, count: partitions.count)
        var mainFrom = [Int](repeating: 0, count: partitions.count)
        var sideFrom = [Int](repeating: 0, count: partitions.count)

        func emitSegments(throughEvent last: Int32) {
            while true {
                var best = -1
                var bestSegment = EmissionSegment(event: 0, time: 0, stamp: 0, mainEnd: 0, sideEnd: 0)
                for (p, partition) in partitions.enumerated() where next[p] < partition.core.segments!.count {
                    let segment = partition.core.segments![next[p]]
                    if segment.event <= last && (best < 0 || segment.precedes(bestSegment)) {
                        best = p
                        bestSegment = segment
                    }
                }
                guard best >= 0 else { return }
                let context = partitions[best].core.context
                main.records.append(contentsOf: context.output.records[mainFrom[best] ..< Int(bestSegment.mainEnd)])
                side.records.append(contentsOf: context.side.records[sideFrom[best] ..< Int(bestSegment.sideEnd)])
                mainFrom[best] = Int(bestSegment.mainEnd)
                sideFrom[best] = Int(bestSegment.sideEnd)
                next[best] += 1
            }
        }

        for (m, mark) in marks.enumerated() {
            emitSegments(throughEvent: Int32(mark.index + m))
            if mark.watermark > watermark { watermark = mark.watermark }
            if watermark > forwarded {
                forwarded = watermark
                main.advanceWatermark(to: watermark)
                side.advanceWatermark(to: watermark)
            }
        }
        emitSegments(throughEvent: .max)
        main.progress = progress
        side.progress = progress
        try output.emit(main)
        try sideOutput.emit(side)
    }
}

extension PartitionedProcessOperator: CheckpointedOperator {
    /// The same bytes as `KeyedProcessOperator`'s: the partitions' timers merged into one
    /// firing order (timers of one time and stamp come from one record, so from one
    /// partition, whose own order is kept).
    public func snapshot(into writer: inout StateWriter) throws {
        var timers: [(time: Int64, stamp: UInt64, partition: Int, index: Int, key: KeyedProcessSnapshot<Function>.TimerKey)] = []
        for (p, partition) in partitions.enumerated() {
            for (i, timer) in partition.core.context.timers.registered().enumerated() {
                timers.append((timer.time, timer.stamp, p, i, timer.key))
            }
        }
        timers.sort { a, b in
            if a.time != b.time { return a.time < b.time }
            if a.stamp != b.stamp { return a.stamp < b.stamp }
            return (a.partition, a.index) < (b.partition, b.index)
        }
        KeyedProcessSnapshot<Function>(
            watermark: watermark, forwarded: forwarded, generator: nil, recordsSeen: recordsSeen,
            timers: timers.map { ($0.time, $0.stamp, $0.key) }
        ).encode(to: &writer)
    }

    public func restore(from reader: inout StateReader) throws {
        let snapshot = try KeyedProcessSnapshot<Function>.decode(from: &reader, generates: nil)
        watermark = snapshot.watermark
        forwarded = snapshot.forwarded
        recordsSeen = snapshot.recordsSeen
        for partition in partitions {
            let context = partition.core.context
            context.watermark = snapshot.watermark
            context.forwarded = snapshot.forwarded
            for state in partition.core.states { try state.advance(to: snapshot.watermark) }
            context.timers = TimerQueue()
        }
        for (time, stamp, timer) in snapshot.timers {
            partition(of: timer.key).core.context.timers.register(timer, at: time, stamp: stamp)
        }
    }
}

extension KeyedStream {
    /// Runs a fresh `function` from `makeFunction` in each of `partitions` key partitions
    /// (`PartitionedProcessOperator`), or whole at 1: the same outputs and checkpoints
    /// either way.
    public func process<F: KeyedProcessFunction>(
        _ id: OperatorID, partitions: Int, _ makeFunction: () -> F
    ) throws -> ProcessedStreams<F.Output, F.Side> where F.Key == Key, F.Input == Record {
        if partitions <= 1 { return try process(id, makeFunction()) }
        let graph = stream.graph
        let op = try PartitionedProcessOperator(partitions: partitions, operatorID: id, backend: graph.state,
                                                keyOf: keyOf, makeFunction: makeFunction)
        stream.attach(id, op)
        return ProcessedStreams(main: Stream(graph: graph, port: op.output), side: Stream(graph: graph, port: op.sideOutput))
    }
}
