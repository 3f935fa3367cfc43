/// A job run opened by `JobRun.open()` and driven by its caller, batch by batch: what
/// `JobRun.run` does in a loop, for callers that interleave many runs on one thread.
///
/// What holds: driven to the end (`runUntilIdle` until it returns true, `idle()` between,
/// then `finish()` and `close()`), it writes what `JobRun.run` writes; abandoned at any
/// point (`abandon()`), its newest checkpoint stands and the same run opened again
/// resumes from it.
public final class OpenedRun {
    public let run: JobRun
    let lock: StateDirectoryLock
    let recovery: Recovery
    let graph: JobGraph
    let outputs: [(String, any RecordOutput)]
    let statistics: any RunStatistics
    let checkpoints: CheckpointCoordinator
    let resumedFrom: CheckpointManifest?
    let startedMicros: Int64
    let restoreSeconds: Double
    let recordsBefore: Int64
    let runner: JobRunner
    /// What the caller's hooks see between batches.
    public let progress: RunProgress
    /// Whether state was written back since the last batch (see `idle()`).
    private var wroteBack = true
    /// The run ended: every source has ended and the finished checkpoint is taken, now
    /// or by the run it resumed.
    public private(set) var isFinished: Bool

    init(run: JobRun, lock: StateDirectoryLock, recovery: Recovery, graph: JobGraph, outputs: [(String, any RecordOutput)],
         statistics: any RunStatistics, checkpoints: CheckpointCoordinator, resumedFrom: CheckpointManifest?,
         startedMicros: Int64) {
        self.run = run
        self.lock = lock
        self.recovery = recovery
        self.graph = graph
        self.outputs = outputs
        self.statistics = statistics
        self.checkpoints = checkpoints
        self.resumedFrom = resumedFrom
        self.startedMicros = startedMicros
        restoreSeconds = Double(SystemClock.microseconds() - startedMicros) / 1e6
        recordsBefore = statistics.recordsRead
        runner = JobRunner(graph)
        progress = RunProgress(statistics: statistics, checkpoints: checkpoints,
                               totalBytes: OutputDirectory.totalUncompressedSize(run.inputs))
        isFinished = resumedFrom?.finished ?? false
    }

    /// Gives the sources turns until every one has ended (`true`) or every one left is
    /// idle (`false`); a checkpoint falls due between batches, then `afterBatch` runs.
    public func runUntilIdle(afterBatch: (RunProgress) throws -> Void = { _ in }) throws -> Bool {
        try runner.runUntilIdle(afterBatch: { _ in
            wroteBack = false
            try checkpoints.checkpointIfDue()
            try afterBatch(progress)
        })
    }

    /// Every source is idle: the first idle moment after a batch writes state back, so
    /// that the checkpoint's pause stays short (at 2,000 records/s, 140 ms for 10 s of
    /// RocksDB writes taken at once); an idle run still gets its checkpoints.
    public func idle() throws {
        if !wroteBack {
            try graph.writeBackState()
            wroteBack = true
        }
        try checkpoints.checkpointIfDue()
    }

    /// Takes a checkpoint now (before a clean stop, or a partition's checkpoint).
    @discardableResult
    public func checkpoint() throws -> CheckpointManifest { try checkpoints.checkpoint() }

    /// After the end of input (`runUntilIdle` returned true): the finished checkpoint.
    public func finish() throws {
        precondition(runner.isFinished, "finish() before the end of input")
        try checkpoints.checkpoint(finished: true)
        isFinished = true
    }

    /// Gives the run up (a failure, or a stop without a checkpoint): operators on other
    /// threads finish what they were given, and nothing writes to the outputs after.
    public func abandon() {
        try? graph.drain()
    }

    /// Closes the outputs and reports the run.
    public func close() throws -> RunReport {
        for (_, output) in outputs { try output.close() }
        if run.settings.leavesMemoryStateToExit && graph.state.kind == .memory { JobRun.keptUntilExit.append(graph) }
        withExtendedLifetime(lock) {}
        return RunReport(
            jobName: run.job.name, statistics: statistics,
            elapsedSeconds: Double(SystemClock.microseconds() - startedMicros) / 1e6,
            recordsThisRun: statistics.recordsRead - recordsBefore, resumedFrom: resumedFrom,
            restoreSeconds: restoreSeconds, checkpointsTaken: checkpoints.taken,
            checkpointMicrosTotal: checkpoints.totalMicros, latestCheckpoint: checkpoints.latest,
            checkpointDirectory: recovery.store.directory, outputDirectory: run.settings.outputDirectory)
    }
}
