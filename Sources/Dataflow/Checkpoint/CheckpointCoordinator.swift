/// Takes a job's checkpoints: every `intervalMs` of processing time, between source
/// batches (the runner calls `checkpointIfDue` when a batch has fully propagated, so no
/// record is in flight and nothing needs aligning), and on demand (start, clean stop,
/// end of input).
///
/// A checkpoint is consistent because everything in it is as of one moment: each
/// source's position, each operator's own state (watermarks, timers), the state
/// backend's entries, and each output file's length after a flush and `fsync`. On
/// recovery the outputs are cut back to those lengths and the sources resume at those
/// positions, so every record after the checkpoint is processed, and written, once.
public final class CheckpointCoordinator {
    public let store: CheckpointStore
    let graph: JobGraph
    let job: String
    let outputs: [(name: String, file: any RecordOutput)]
    let intervalMs: Int64
    let now: () -> Int64
    private var nextID: UInt64
    private var lastTakenAt: Int64
    /// The newest complete checkpoint: taken by this run or restored from.
    public private(set) var latest: CheckpointManifest?
    /// Checkpoints this run has taken, and the time they took.
    public private(set) var taken = 0
    public private(set) var totalMicros: Int64 = 0

    /// - Parameters:
    ///   - job: the job's description of itself with its settings (kept in manifests).
    ///   - outputs: the files whose lengths each checkpoint commits, by name.
    ///   - resumedFrom: the checkpoint this run was restored from, if any.
    ///   - now: the processing-time clock in milliseconds (a logical one in tests).
    public init(store: CheckpointStore, graph: JobGraph, job: String, outputs: [(name: String, file: any RecordOutput)],
                intervalMs: Int64, resumedFrom: CheckpointManifest? = nil,
                now: @escaping () -> Int64 = SystemClock.monotonicMs) throws {
        precondition(intervalMs > 0)
        self.store = store
        self.graph = graph
        self.job = job
        self.outputs = outputs
        self.intervalMs = intervalMs
        self.now = now
        self.latest = resumedFrom
        nextID = try store.nextID()
        lastTakenAt = now()
    }

    /// Takes a checkpoint if `intervalMs` have passed since the last one.
    public func checkpointIfDue() throws {
        if now() - lastTakenAt >= intervalMs { try checkpoint() }
    }

    /// Takes a checkpoint now; `finished` marks the one after the end of input, which
    /// holds no keyed state: nothing can follow the end of input, so a run restored from
    /// it only needs the outputs' lengths and the counts (and skipping the state saves
    /// the largest checkpoint of the run, at its very end).
    @discardableResult
    public func checkpoint(finished: Bool = false) throws -> CheckpointManifest {
        let started = SystemClock.microseconds()
        let operators = try graph.snapshotOperators()
        var lengths: [CheckpointManifest.OutputLength] = []
        for (name, file) in outputs {
            try file.sync()
            lengths.append(.init(name: name, length: file.committedLength))
        }
        let id = nextID
        let manifest = try store.write(id: id, state: finished ? nil : graph.state) { files in
            CheckpointManifest(
                id: id, createdAtMs: SystemClock.wallMs(), job: job, backend: graph.state.kind, finished: finished,
                sources: graph.sourceOffsets, outputs: lengths, operators: operators, stateFiles: files,
                durationMicros: SystemClock.microseconds() - started)
        }
        nextID += 1
        lastTakenAt = now()
        latest = manifest
        taken += 1
        totalMicros += manifest.durationMicros
        return manifest
    }
}
