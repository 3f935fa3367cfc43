import ArgumentParser
import Dataflow
#if canImport(Glibc)
import Glibc
#endif

/// The options of every command that runs a job over files, whatever the job: inputs,
/// outputs, state and checkpoints (spec/cli.md's common options, less the retail jobs'
/// own), and `replay`, which runs a job with them.
public struct RunOptions: ParsableArguments {
    @Option(name: .long, parsing: .upToNextOption, help: "Input files, read in the order given (.jsonl, .csv, optionally .zst).")
    public var input: [String] = []

    @Option(name: .long, help: "Output directory (created if missing).")
    public var out: String

    @Option(help: "Where keyed state lives: memory|rocksdb.") public var state = "rocksdb"
    @Option(help: "State and checkpoint directory (default: DIR/.state under --out).") public var stateDir: String?
    @Option(help: "RocksDB block cache plus write buffers.") public var stateMemory = ByteSizeArgument(argument: "256MiB")!
    @Option(help: "How often state and input positions are checkpointed.")
    public var checkpointInterval = DurationArgument(milliseconds: 10_000)
    @Option(help: "Keyed partitions processed in parallel (default: number of cores).") public var parallelism: Int?
    @Flag(help: "Replace outputs already in --out.") public var overwrite = false

    public init() {}

    public func validate() throws {
        guard !input.isEmpty else { throw ValidationError("give at least one --input file") }
        guard state == "memory" || state == "rocksdb" else { throw ValidationError("--state must be memory or rocksdb, not '\(state)'") }
        if let p = parallelism, p < 1 { throw ValidationError("--parallelism must be at least 1") }
        guard checkpointInterval.milliseconds > 0 else { throw ValidationError("--checkpoint-interval must be positive") }
    }

    /// `--parallelism`, or the cores online.
    public var resolvedParallelism: Int { parallelism ?? ProcessorCount.online }

    /// Runs `job` over the inputs into `--out`: resumed from the newest checkpoint if
    /// there is one, with a progress bar on a terminal, and the summary on standard
    /// output at the end. SIGINT and SIGTERM stop it after a checkpoint
    /// (`StoppedBySignal`); the same command then resumes it.
    public func replay(_ job: any Job, command: String = "replay") throws {
        StopSignal.install()
        var settings = RunSettings(outputDirectory: out, stateDirectory: stateDir)
        settings.backend = StateBackendKind(rawValue: state)!
        settings.memoryBudget = stateMemory.bytes
        settings.checkpointIntervalMs = checkpointInterval.milliseconds
        settings.overwrite = overwrite
        settings.leavesMemoryStateToExit = true
        let run = JobRun(job: job, inputs: input.map(InputFile.init(path:)), settings: settings)
        var progressBar: ProgressBar?
        let report = try run.run { progress in
            if progressBar == nil { progressBar = ProgressBar(totalBytes: progress.totalBytes) }
            progressBar!.update(bytes: progress.statistics.bytesRead, records: progress.statistics.recordsRead)
            if let signal = StopSignal.received {
                progressBar!.clear()
                let taken = try progress.checkpoint()
                throw StoppedBySignal(signal: signal, checkpoint: taken.id)
            }
        }
        progressBar?.clear()
        print(report.summary(command: command))
    }
}

/// A run stopped by SIGINT or SIGTERM after its final checkpoint.
public struct StoppedBySignal: Error, CustomStringConvertible {
    public let signal: Int32
    public let checkpoint: UInt64

    public init(signal: Int32, checkpoint: UInt64) {
        self.signal = signal
        self.checkpoint = checkpoint
    }

    public var description: String {
        "stopped by \(signal == SIGTERM ? "SIGTERM" : "SIGINT") after checkpoint \(checkpoint); run the same command to resume"
    }
}
