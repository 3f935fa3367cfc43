import ArgumentParser
import Dataflow
import Jobs
#if canImport(Glibc)
import Glibc
#endif

/// `tillflow replay JOB --input FILE... --out DIR`: backfill over historical files.
struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a job over historical files as fast as the machine allows.",
        discussion: """
            Writes the job's outputs into --out: valid.jsonl and invalid.jsonl; turnover.jsonl, rollup.jsonl and \
            late.jsonl (turnover, edge); decisions.jsonl, alerts.jsonl and availability.jsonl (inventory, edge).
            """)

    @Argument(help: "The job: \(JobKind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var job: String

    @Option(name: .long, parsing: .upToNextOption, help: "Input files, read in the order given (.jsonl, .csv, optionally .zst).")
    var input: [String] = []

    @Option(name: .long, help: "Output directory (created if missing).")
    var out: String

    @Option(help: "Tumbling window size.") var window = DurationArgument(milliseconds: 10_000)
    @Option(help: "Watermark bound.") var outOfOrderness = DurationArgument(milliseconds: 2_000)
    @Option(help: "How long a fired window still takes late records.") var allowedLateness = DurationArgument(milliseconds: 0)
    @Option(help: "correct|reject: what to do with a total that differs from its items.") var totalMismatch = "correct"
    @Option(help: "How long a seen tx_id is remembered (event time).") var dedupHorizon = DurationArgument(milliseconds: 86_400_000)
    @Option(help: "Inventory low-stock alert threshold (inventory and edge jobs).") var lowStockThreshold = 5
    @Option(help: "Where keyed state lives: memory|rocksdb.") var state = "rocksdb"
    @Option(help: "State and checkpoint directory (default: DIR/.state under --out).") var stateDir: String?
    @Option(help: "RocksDB block cache plus write buffers.") var stateMemory = ByteSizeArgument(argument: "256MiB")!
    @Option(help: "How often state and input positions are checkpointed.") var checkpointInterval = DurationArgument(milliseconds: 10_000)
    @Option(help: "Keyed partitions processed in parallel (default: number of cores).") var parallelism: Int?
    @Flag(help: "Replace outputs already in --out.") var overwrite = false
    @Option(help: ArgumentHelp("Lines per input batch; checkpoints fall between batches.", visibility: .hidden))
    var batchLines = 4096

    func validate() throws {
        guard JobKind(rawValue: job) != nil else {
            throw ValidationError("unknown job '\(job)'; expected one of \(JobKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard !input.isEmpty else { throw ValidationError("give at least one --input file") }
        guard TotalMismatchPolicy(rawValue: totalMismatch) != nil else {
            throw ValidationError("--total-mismatch must be correct or reject, not '\(totalMismatch)'")
        }
        guard window.milliseconds > 0 else { throw ValidationError("--window must be positive") }
        guard lowStockThreshold >= 0 else { throw ValidationError("--low-stock-threshold cannot be negative") }
        guard state == "memory" || state == "rocksdb" else { throw ValidationError("--state must be memory or rocksdb, not '\(state)'") }
        if let p = parallelism, p < 1 { throw ValidationError("--parallelism must be at least 1") }
        guard batchLines > 0 else { throw ValidationError("--batch-lines must be positive") }
        guard checkpointInterval.milliseconds > 0 else { throw ValidationError("--checkpoint-interval must be positive") }
    }

    func run() throws {
        let kind = JobKind(rawValue: job)!
        var options = JobOptions()
        options.windowMs = window.milliseconds
        options.outOfOrdernessMs = outOfOrderness.milliseconds
        options.allowedLatenessMs = allowedLateness.milliseconds
        options.totalMismatch = TotalMismatchPolicy(rawValue: totalMismatch)!
        options.dedupHorizonMs = dedupHorizon.milliseconds
        options.lowStockThreshold = Int64(lowStockThreshold)
        options.batchLines = batchLines
        options.parallelism = parallelism ?? ProcessorCount.online
        let files = input.map(InputFile.init(path:))
        let started = Clock.now
        StopSignal.install()

        let stateDirectory = stateDir ?? out + "/.state"
        let lock = try StateDirectoryLock(directory: stateDirectory)
        defer { withExtendedLifetime(lock) {} }
        let recovery = Recovery(stateDirectory: stateDirectory, backend: StateBackendKind(rawValue: state)!,
                                memoryBudget: stateMemory.bytes)
        if overwrite { try recovery.discard() }
        let candidates = try recovery.candidates(expecting: ReplayJob.identity(kind, inputs: files, options: options))
        if candidates.isEmpty {
            try OutputDirectory.prepare(out, outputs: kind.outputs, overwrite: overwrite)
        } else {
            try Directory.create(out)
        }
        let (replay, resumed) = try recovery.restore(candidates) { backend, manifest in
            try ReplayJob(kind, inputs: files, outputDirectory: out, options: options, state: backend, resumingFrom: manifest)
        }
        let restoreSeconds = Clock.now - started
        let checkpoints = try CheckpointCoordinator(
            store: recovery.store, graph: replay.graph, job: replay.identity, outputs: replay.outputs,
            intervalMs: checkpointInterval.milliseconds, resumedFrom: resumed)
        let linesBefore = replay.linesRead
        var progress = ProgressBar(totalBytes: OutputDirectory.totalUncompressedSize(files))
        try replay.run(checkpoints: checkpoints) { job in
            progress.update(bytes: job.bytesRead, records: job.linesRead)
            if let signal = StopSignal.received {
                progress.clear()
                let taken = try checkpoints.checkpoint()
                throw Interrupted(signal: signal, checkpoint: taken.id)
            }
        }
        progress.clear()
        let summary = ReplaySummary(job: replay, elapsed: Clock.now - started, recordsThisRun: replay.linesRead - linesBefore,
                                    resumedFrom: resumed, restoreSeconds: restoreSeconds, checkpoints: checkpoints,
                                    outputDirectory: out)
        print(summary.text)
        if replay.graph.state.kind == .memory { KeptUntilExit.objects.append(replay) }
    }
}

/// How a replay finds the state it resumes from: the newest usable checkpoint in its
/// state directory, or a fresh backend when there is none.
struct Recovery {
    let stateDirectory: String
    let backend: StateBackendKind
    let memoryBudget: Int64
    let store: CheckpointStore

    init(stateDirectory: String, backend: StateBackendKind, memoryBudget: Int64) {
        self.stateDirectory = stateDirectory
        self.backend = backend
        self.memoryBudget = memoryBudget
        store = CheckpointStore(directory: stateDirectory + "/checkpoints")
    }

    var liveDatabase: String { stateDirectory + "/db" }

    /// Forgets every checkpoint and the live database (`--overwrite`).
    func discard() throws {
        try store.removeAll()
        try Directory.remove(liveDatabase)
    }

    /// The usable checkpoints, newest first. A state directory whose checkpoints are all
    /// unusable, or that belong to another job or backend, is an error: never a silent
    /// fresh start over the outputs those checkpoints committed. Unless none of them was
    /// ever completed: a run killed during its first checkpoint (taken before its first
    /// record) committed nothing, so its leftovers are removed and the run starts afresh
    /// (outputs it may have written are still protected, `OutputDirectory.prepare`).
    func candidates(expecting identity: String) throws -> [CheckpointStore.Listing] {
        let usable = try store.usable { warn($0) }
        if usable.isEmpty, !(try store.ids().isEmpty) {
            guard try store.anyCompleted() else {
                warn("no checkpoint in \(store.directory) was ever completed (a run stopped during its first one); starting afresh")
                try store.removeAll()
                return []
            }
            throw JobError("no usable checkpoint in \(store.directory); pass --overwrite to start afresh")
        }
        if let newest = usable.first, case .success(let manifest) = newest.manifest {
            guard manifest.job == identity else {
                throw JobError("the checkpoints in \(store.directory) belong to another job or other settings "
                    + "(\(manifest.job)); pass --overwrite to start afresh")
            }
            guard manifest.backend == backend else {
                throw JobError("the checkpoints in \(store.directory) hold \(manifest.backend.rawValue) state; "
                    + "run with --state \(manifest.backend.rawValue), or pass --overwrite to start afresh")
            }
        }
        return usable
    }

    /// Builds the job on the newest candidate that restores; one that fails (a damaged
    /// state file the manifest's sizes did not reveal) is reported in one line and the
    /// next older one tried. No candidates: a fresh job on a fresh backend.
    func restore(_ candidates: [CheckpointStore.Listing],
                 make: (any StateBackend, CheckpointManifest?) throws -> ReplayJob) throws -> (ReplayJob, CheckpointManifest?) {
        if candidates.isEmpty { return (try make(try freshBackend(), nil), nil) }
        var failures: [String] = []
        for candidate in candidates {
            let manifest = try candidate.manifest.get()
            // A finished run's checkpoint holds no keyed state, and none is needed.
            if manifest.finished { return (try make(try freshBackend(), manifest), manifest) }
            do {
                let state: any StateBackend = switch backend {
                case .memory: try MemoryStateBackend(restoringFrom: candidate.statePath)
                case .rocksdb: try RocksDBStateBackend(directory: liveDatabase, memoryBudget: memoryBudget,
                                                       restoringFrom: candidate.statePath)
                }
                return (try make(state, manifest), manifest)
            } catch {
                warn("checkpoint \(manifest.id) cannot be restored: \(error); trying an older one")
                failures.append("checkpoint \(manifest.id): \(error)")
            }
        }
        throw JobError("no checkpoint in \(store.directory) could be restored (\(failures.joined(separator: "; "))); "
            + "pass --overwrite to start afresh")
    }

    private func freshBackend() throws -> any StateBackend {
        switch backend {
        case .memory:
            return MemoryStateBackend()
        case .rocksdb:
            try Directory.remove(liveDatabase)
            try Directory.create(liveDatabase)
            return try RocksDBStateBackend(directory: liveDatabase, memoryBudget: memoryBudget)
        }
    }

    private func warn(_ line: String) { fputs("tillflow: \(line)\n", stderr) }
}

/// A replay stopped by SIGINT or SIGTERM after its final checkpoint.
struct Interrupted: Error, CustomStringConvertible {
    let signal: Int32
    let checkpoint: UInt64

    var description: String {
        "stopped by \(signal == SIGTERM ? "SIGTERM" : "SIGINT") after checkpoint \(checkpoint); run the same command to resume"
    }
}

/// The end-of-run summary: records in, valid, invalid by reason, windows, late, speed.
struct ReplaySummary {
    let job: ReplayJob
    let elapsed: Double
    /// Lines read by this process (the rest were read before the checkpoint it resumed).
    let recordsThisRun: Int64
    let resumedFrom: CheckpointManifest?
    /// Time from start until the job stood restored (or built, when fresh).
    let restoreSeconds: Double
    let checkpoints: CheckpointCoordinator
    let outputDirectory: String

    var text: String {
        let s = job.statistics
        let n = job.linesRead
        let rate = Int64(Double(recordsThisRun) / max(elapsed, 1e-9))
        var lines: [String] = []
        if let resumed = resumedFrom, resumed.finished {
            lines.append("replay \(job.kind.rawValue): already finished (checkpoint \(resumed.id)); outputs unchanged")
        } else {
            let all = resumedFrom == nil ? "" : " (\(Format.count(n)) in all)"
            lines.append("replay \(job.kind.rawValue): \(Format.count(recordsThisRun)) records in \(Format.seconds(elapsed)), "
                + "\(Format.count(rate)) records/s\(all)")
            if let resumed = resumedFrom {
                lines.append("  resumed from     checkpoint \(resumed.id) (\(Format.count(n - recordsThisRun)) records before it), "
                    + "restored in \(Format.milliseconds(restoreSeconds))")
            }
        }
        lines.append("  valid            \(Format.count(s.valid))")
        lines.append("  invalid          \(Format.count(s.invalid))")
        for reason in RejectReason.allCases {
            if let c = s.invalidByReason[reason] { lines.append("    \(reason.rawValue + String(repeating: " ", count: max(1, 16 - reason.rawValue.count)))\(Format.count(c))") }
        }
        if job.kind.includesInventory {
            lines.append("  inventory events \(Format.count(s.inventoryEvents))")
            let decisions = ["accepted", "rejected", "committed", "released", "expired"]
                .map { "\($0) \(Format.count(s.decisionsByOutcome[$0] ?? 0))" }.joined(separator: ", ")
            lines.append("  decisions        \(decisions)")
            lines.append("  alerts           \(Format.count(s.alerts))")
            lines.append("  availability     \(Format.count(s.availabilityRows)) rows")
        }
        if job.kind.includesTurnover {
            lines.append("  windows fired    \(Format.count(s.windowsFired))")
            lines.append("  revisions        \(Format.count(s.windowRevisions))")
            lines.append("  rollup rows      \(Format.count(s.rollupRows))")
            lines.append("  late             \(Format.count(s.late))")
        }
        if checkpoints.taken > 0, let latest = checkpoints.latest {
            let average = Double(checkpoints.totalMicros) / Double(checkpoints.taken) / 1_000_000
            lines.append("  checkpoints      \(checkpoints.taken) taken, \(Format.milliseconds(average)) each on average, last \(latest.id) in \(checkpoints.store.directory)/")
        }
        lines.append("  outputs in       \(outputDirectory)/")
        return lines.joined(separator: "\n")
    }
}

/// The output directory of a replay.
enum OutputDirectory {
    /// Creates `path` if missing; refuses to write over a previous run's outputs unless told to.
    static func prepare(_ path: String, outputs: [String], overwrite: Bool) throws {
        var st = stat()
        if stat(path, &st) != 0 {
            try Directory.create(path)
            return
        }
        guard (st.st_mode & S_IFMT) == S_IFDIR else { throw JobError("--out \(path) is not a directory") }
        // An empty file is no output to protect (a run killed before writing any).
        let existing = outputs.filter { stat(path + "/" + $0, &st) == 0 && st.st_size > 0 }
        if !existing.isEmpty && !overwrite {
            throw JobError("\(path) already holds outputs (\(existing.joined(separator: ", "))) and no checkpoint to resume from; pass --overwrite to start afresh")
        }
    }

    /// The sum of the inputs' sizes when none is compressed (for a progress percentage).
    static func totalUncompressedSize(_ files: [InputFile]) -> Int64? {
        var total: Int64 = 0
        for f in files {
            if f.isCompressed { return nil }
            var st = stat()
            guard stat(f.path, &st) == 0 else { return nil }
            total += Int64(st.st_size)
        }
        return total
    }
}
