import Dataflow
#if canImport(Glibc)
import Glibc
#endif

/// One keyed process function driven by hand, as Flink's
/// `KeyedOneInputStreamOperatorTestHarness` and SwiftNIO's `EmbeddedChannel` drive
/// theirs: feed records and watermarks, read what it emitted, snapshot it, restore the
/// snapshot into a fresh instance, end its input.
///
///     let h = try KeyedOperatorHarness(CountUntilDeadline()) { $0.store }
///     try h.process(Sale(store: "a", time: 0, amount: 1))
///     try h.advanceWatermark(to: 100)
///     #expect(h.output == ["a:1@100"])
///
/// The function runs inside a real job graph (the operator, its state backend and its
/// timers are the ones jobs use); each call returns once everything it caused has
/// happened. Watermarks are the harness's alone: records do not move them.
public final class KeyedOperatorHarness<Function: KeyedProcessFunction> {
    public let graph: JobGraph
    let feed = ScriptedSource<Function.Input>.Feed()
    let runner: JobRunner
    let mainSink = CollectingSink<Function.Output>()
    let sideSink = CollectingSink<Function.Side>()
    let id: OperatorID

    /// - Parameters:
    ///   - id: the operator's id (its state and timers are keyed by it).
    ///   - state: the backend its state lives in (memory by default).
    ///   - key: the key of a record.
    public init(_ function: Function, id: OperatorID = "under-test", state: any StateBackend = MemoryStateBackend(),
                key: @escaping (Function.Input) -> Function.Key) throws {
        self.id = id
        graph = JobGraph(state: state)
        let streams = try graph.source("harness-input", ScriptedSource(feed)).keyBy(key).process(id, function)
        streams.main.sink("harness-output", mainSink)
        streams.side.sink("harness-side-output", sideSink)
        runner = JobRunner(graph)
    }

    /// Gives the function `records`, in order, in one batch.
    public func process(_ records: Function.Input...) throws { try process(records) }

    public func process(_ records: [Function.Input]) throws {
        feed.push(Batch(records: records))
        try runner.runUntilIdle()
    }

    /// Moves the watermark to `time` (a time not after the current watermark changes
    /// nothing): due timers fire.
    public func advanceWatermark(to time: Int64) throws {
        var batch = Batch<Function.Input>()
        batch.advanceWatermark(to: Watermark(time))
        feed.push(batch)
        try runner.runUntilIdle()
    }

    /// Ends the input: the watermark becomes infinite and every pending timer fires.
    public func endInput() throws {
        feed.end()
        try runner.runUntilIdle()
    }

    /// Everything emitted on the main output so far, in order.
    public var output: [Function.Output] { mainSink.records }
    /// The main output's records and watermark advances, in order.
    public var outputEvents: [CollectingSink<Function.Output>.Event] { mainSink.events }
    /// Everything emitted on the side output so far.
    public var sideOutput: [Function.Side] { sideSink.records }

    /// The function's state, timers and watermark as of now, written under `directory`
    /// (created if missing), to restore into a fresh harness.
    public func snapshot(into directory: String) throws -> HarnessSnapshot {
        try Directory.create(directory)
        try graph.state.checkpoint(into: directory + "/state")
        return HarnessSnapshot(operators: try graph.snapshotOperators(), sources: graph.sourceOffsets,
                               stateDirectory: directory + "/state", backend: graph.state.kind)
    }

    /// A fresh harness around `function` with the state, timers and watermark of
    /// `snapshot`; its output starts empty. RocksDB state is restored into
    /// `snapshot`'s directory's sibling `db`.
    public convenience init(restoring snapshot: HarnessSnapshot, _ function: Function, id: OperatorID = "under-test",
                            key: @escaping (Function.Input) -> Function.Key) throws {
        let state: any StateBackend = switch snapshot.backend {
        case .memory: try MemoryStateBackend(restoringFrom: snapshot.stateDirectory)
        case .rocksdb: try RocksDBStateBackend(directory: snapshot.stateDirectory + "-db", memoryBudget: 16 << 20,
                                               restoringFrom: snapshot.stateDirectory)
        }
        try self.init(function, id: id, state: state, key: key)
        try graph.restore(operators: snapshot.operators, sources: snapshot.sources)
    }
}

/// What `KeyedOperatorHarness.snapshot` took: the operator's own state (watermark,
/// timers), the input's position, and the state backend's checkpoint on disk.
public struct HarnessSnapshot {
    public let operators: [(OperatorID, [UInt8])]
    public let sources: [(OperatorID, [UInt8])]
    public let stateDirectory: String
    public let backend: StateBackendKind
}
