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
    @Option(help: "Where keyed state lives: memory|rocksdb.") var state = "memory"
    @Option(help: "State and checkpoint directory (default: DIR/.state under --out).") var stateDir: String?
    @Option(help: "RocksDB block cache plus write buffers.") var stateMemory = ByteSizeArgument(argument: "256MiB")!
    @Option(help: "How often state and input positions are checkpointed.") var checkpointInterval = DurationArgument(milliseconds: 10_000)
    @Option(help: "Keyed partitions processed in parallel (default: number of cores).") var parallelism: Int?
    @Flag(help: "Replace outputs already in --out.") var overwrite = false

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

        try OutputDirectory.prepare(out, outputs: kind.outputs, overwrite: overwrite)
        let files = input.map(InputFile.init(path:))
        let started = Clock.now
        let backend: any StateBackend
        if state == "rocksdb" {
            // No checkpoints yet: a run always starts afresh, so the previous database goes.
            let directory = (stateDir ?? out + "/.state")
            try OutputDirectory.makeDirectories(directory)
            try OutputDirectory.removeTree(directory + "/db")
            backend = try RocksDBStateBackend(directory: directory + "/db", memoryBudget: stateMemory.bytes)
        } else {
            backend = MemoryStateBackend()
        }
        let replay = try ReplayJob(kind, inputs: files, outputDirectory: out, options: options, state: backend)
        var progress = ProgressBar(totalBytes: OutputDirectory.totalUncompressedSize(files))
        try replay.run { job in progress.update(bytes: job.bytesRead, records: job.linesRead) }
        progress.clear()
        let elapsed = Clock.now - started
        print(ReplaySummary(job: replay, elapsed: elapsed, outputDirectory: out).text)
    }
}

/// The end-of-run summary: records in, valid, invalid by reason, windows, late, speed.
struct ReplaySummary {
    let job: ReplayJob
    let elapsed: Double
    let outputDirectory: String

    var text: String {
        let s = job.statistics
        let n = job.linesRead
        let rate = Int64(Double(n) / max(elapsed, 1e-9))
        var lines = ["replay \(job.kind.rawValue): \(Format.count(n)) records in \(Format.seconds(elapsed)), \(Format.count(rate)) records/s"]
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
            try makeDirectories(path)
            return
        }
        guard (st.st_mode & S_IFMT) == S_IFDIR else { throw JobError("--out \(path) is not a directory") }
        let existing = outputs.filter { stat(path + "/" + $0, &st) == 0 }
        if !existing.isEmpty && !overwrite {
            throw JobError("\(path) already holds outputs (\(existing.joined(separator: ", "))) and no checkpoint to resume from; pass --overwrite to start afresh")
        }
    }

    /// `mkdir -p`.
    static func makeDirectories(_ path: String) throws {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += component + "/"
            var st = stat()
            if stat(prefix, &st) == 0 { continue }
            guard mkdir(prefix, 0o755) == 0 || errno == EEXIST else {
                throw JobError("cannot create output directory \(path): \(String(cString: strerror(errno)))")
            }
        }
    }

    /// `rm -r`, for a directory this program made (the state database).
    static func removeTree(_ path: String) throws {
        var st = stat()
        guard lstat(path, &st) == 0 else { return }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            guard let dir = opendir(path) else { throw JobError("cannot read \(path): \(String(cString: strerror(errno)))") }
            var names: [String] = []
            while let entry = readdir(dir) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                if name != "." && name != ".." { names.append(name) }
            }
            closedir(dir)
            for name in names { try removeTree(path + "/" + name) }
            guard rmdir(path) == 0 else { throw JobError("cannot remove \(path): \(String(cString: strerror(errno)))") }
        } else {
            guard unlink(path) == 0 else { throw JobError("cannot remove \(path): \(String(cString: strerror(errno)))") }
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
