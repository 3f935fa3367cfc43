#if canImport(Glibc)
import Glibc
#endif

/// One run of a job over its inputs, from wherever its newest checkpoint left it to the
/// end: the lifecycle every command that runs a job shares.
///
/// A run locks its state directory, finds the checkpoint to resume from (`Recovery`:
/// the newest usable one of this job, inputs and settings; a damaged one is skipped
/// with a line, none usable is an error unless none was ever completed), prepares the
/// output directory (refusing to write over outputs no checkpoint accounts for), builds
/// the job on the restored state with its outputs cut back to their committed lengths,
/// and runs it: a checkpoint before the first record, one every checkpoint interval
/// between batches, and a finished one after the end of input. A finished run started
/// again changes nothing.
///
/// What holds: a run killed at any moment and started again with the same job, inputs
/// and settings ends with the outputs of one uninterrupted run, byte for byte.
public final class JobRun {
    public let job: any Job
    public let inputs: [InputFile]
    public let settings: RunSettings
    /// The line stream the job reads instead of `inputs` (a live run).
    public var lineStream: LineStreamInput?
    /// Opens the job's outputs elsewhere than as files of the output directory (a live
    /// run's subjects): given an output's name and the length a checkpoint committed.
    public var openOutput: ((String, Int64?) throws -> any RecordOutput)?

    /// The operator id a run's statistics are checkpointed under (the name checkpoints
    /// have used for them since replay began: kept, so that they restore).
    static let statisticsID: OperatorID = "replay-statistics"

    public init(job: any Job, inputs: [InputFile], settings: RunSettings) {
        self.job = job
        self.inputs = inputs
        self.settings = settings
    }

    /// What a checkpoint must have been taken by to restore into this run: the job's
    /// name and settings and its inputs (path and size).
    public var identity: String {
        if let lineStream { return "\(job.name) \(job.settings) stream: \(lineStream.name)" }
        let files = inputs.map { "\($0.path)(\(Directory.fileSize($0.path) ?? -1) bytes)" }.joined(separator: " ")
        return "\(job.name) \(job.settings) inputs: \(files)"
    }

    /// Runs the job to the end of its inputs (or until `afterBatch` throws, after which
    /// nothing more is written) and closes its outputs.
    ///
    /// - Parameter afterBatch: called after every source batch has gone through the
    ///   graph, with the run's progress: the moment to show progress, or to stop cleanly
    ///   (take `progress.checkpoint()`, then throw).
    @discardableResult
    public func run(afterBatch: (RunProgress) throws -> Void = { _ in }) throws -> RunReport {
        try run(afterBatch: afterBatch, whenIdle: { _ in usleep(1_000) })
    }

    /// Runs the job as `run(afterBatch:)` does, calling `whenIdle` whenever every source
    /// left has nothing now (a live input between messages): the moment to stop, or to
    /// pause a little before asking again. Checkpoints fall due while idle too.
    @discardableResult
    public func run(afterBatch: (RunProgress) throws -> Void,
                    whenIdle: (RunProgress) throws -> Void) throws -> RunReport {
        let opened = try open()
        if !opened.isFinished {
            do {
                while try !opened.runUntilIdle(afterBatch: afterBatch) {
                    try opened.idle()
                    try whenIdle(opened.progress)
                }
                try opened.finish()
            } catch {
                opened.abandon()
                throw error
            }
        }
        return try opened.close()
    }

    /// Opens the run for a caller that drives it itself (one of many runs sharing a
    /// thread, as the per-location runs of a cloud partition do): its state directory
    /// locked, restored from its newest usable checkpoint, a first checkpoint taken on a
    /// fresh start. `run` is this, driven to the end.
    public func open() throws -> OpenedRun {
        let started = SystemClock.microseconds()
        let lock = try StateDirectoryLock(directory: settings.stateDirectory)
        let recovery = Recovery(stateDirectory: settings.stateDirectory, backend: settings.backend,
                                memoryBudget: settings.memoryBudget, warn: settings.warn)
        if settings.overwrite { try recovery.discard() }
        let identity = self.identity
        let candidates = try recovery.candidates(expecting: identity)
        if candidates.isEmpty {
            try OutputDirectory.prepare(settings.outputDirectory, outputs: job.outputNames, overwrite: settings.overwrite)
        } else {
            try Directory.create(settings.outputDirectory)
        }
        let (built, resumed) = try recovery.restore(candidates) { state, manifest in
            try build(on: state, resumingFrom: manifest, identity: identity)
        }
        let checkpoints = try CheckpointCoordinator(
            store: recovery.store, graph: built.graph, job: identity, outputs: built.context.outputs,
            intervalMs: settings.checkpointIntervalMs, resumedFrom: resumed, now: settings.now)
        let opened = OpenedRun(run: self, lock: lock, recovery: recovery, graph: built.graph, outputs: built.context.outputs,
                               statistics: built.statistics, checkpoints: checkpoints, resumedFrom: resumed,
                               startedMicros: started)
        if !opened.isFinished && checkpoints.latest == nil { try checkpoints.checkpoint() }
        return opened
    }

    /// The job built on `state`, put back where `manifest` left it if given.
    private func build(on state: any StateBackend, resumingFrom manifest: CheckpointManifest?,
                       identity: String) throws -> (graph: JobGraph, context: JobContext, statistics: any RunStatistics) {
        let graph = JobGraph(state: state)
        let context = JobContext(graph: graph, inputs: inputs, lineStream: lineStream,
                                 outputDirectory: settings.outputDirectory, resumingFrom: manifest, openOutput: openOutput)
        let statistics = try job.build(context)
        graph.registerCheckpointed(Self.statisticsID, statistics)
        try graph.checkOperatorIDs()
        if let manifest {
            guard manifest.job == identity else {
                throw CheckpointError("checkpoint \(manifest.id) was taken by another job or with other settings (\(manifest.job))")
            }
            try graph.restore(operators: manifest.operators, sources: manifest.sources)
        }
        return (graph, context, statistics)
    }

    /// Graphs whose memory state the kernel frees at exit (`leavesMemoryStateToExit`).
    nonisolated(unsafe) static var keptUntilExit: [JobGraph] = []
}

/// A run between two batches, as `JobRun.run`'s caller sees it.
public final class RunProgress {
    public let statistics: any RunStatistics
    let checkpoints: CheckpointCoordinator
    /// The inputs' total size when it is known (none compressed): for a percentage.
    public let totalBytes: Int64?

    init(statistics: any RunStatistics, checkpoints: CheckpointCoordinator, totalBytes: Int64?) {
        self.statistics = statistics
        self.checkpoints = checkpoints
        self.totalBytes = totalBytes
    }

    /// The last checkpoint this run took or restored, if any.
    public var latestCheckpoint: CheckpointManifest? { checkpoints.latest }

    /// Takes a checkpoint now: before a clean stop, so that the same run resumes from here.
    @discardableResult
    public func checkpoint() throws -> CheckpointManifest { try checkpoints.checkpoint() }
}
