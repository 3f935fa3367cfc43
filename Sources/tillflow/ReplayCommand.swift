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
        var options = JobOptions()
        options.windowMs = window.milliseconds
        options.outOfOrdernessMs = outOfOrderness.milliseconds
        options.allowedLatenessMs = allowedLateness.milliseconds
        options.totalMismatch = TotalMismatchPolicy(rawValue: totalMismatch)!
        options.dedupHorizonMs = dedupHorizon.milliseconds
        options.lowStockThreshold = Int64(lowStockThreshold)
        options.batchLines = batchLines
        options.parallelism = parallelism ?? ProcessorCount.online
        StopSignal.install()

        var settings = RunSettings(outputDirectory: out, stateDirectory: stateDir)
        settings.backend = StateBackendKind(rawValue: state)!
        settings.memoryBudget = stateMemory.bytes
        settings.checkpointIntervalMs = checkpointInterval.milliseconds
        settings.overwrite = overwrite
        settings.leavesMemoryStateToExit = true
        let run = JobRun(job: RetailJob(JobKind(rawValue: job)!, options: options), inputs: input.map(InputFile.init(path:)),
                         settings: settings)
        var progressBar: ProgressBar?
        let report = try run.run { progress in
            if progressBar == nil { progressBar = ProgressBar(totalBytes: progress.totalBytes) }
            progressBar!.update(bytes: progress.statistics.bytesRead, records: progress.statistics.recordsRead)
            if let signal = StopSignal.received {
                progressBar!.clear()
                let taken = try progress.checkpoint()
                throw Interrupted(signal: signal, checkpoint: taken.id)
            }
        }
        progressBar?.clear()
        print(report.summary(command: "replay"))
    }
}

/// A replay stopped by SIGINT or SIGTERM after its final checkpoint.
struct Interrupted: Error, CustomStringConvertible {
    let signal: Int32
    let checkpoint: UInt64

    var description: String {
        "stopped by \(signal == SIGTERM ? "SIGTERM" : "SIGINT") after checkpoint \(checkpoint); run the same command to resume"
    }
}
