#if canImport(Glibc)
import Glibc
#endif

/// Where and how a run keeps its outputs, state and checkpoints: what `JobRun` needs
/// besides the job and its inputs (cli.md's common options).
public struct RunSettings {
    public var outputDirectory: String
    /// RocksDB files and checkpoints (default: `.state` under the output directory).
    public var stateDirectory: String
    public var backend: StateBackendKind = .rocksdb
    /// RocksDB block cache plus write buffers.
    public var memoryBudget: Int64 = 256 << 20
    public var checkpointIntervalMs: Int64 = 10_000
    /// Start afresh over the outputs and checkpoints already there.
    public var overwrite = false
    /// The processing-time clock of the checkpoint interval, in milliseconds (a logical
    /// one in tests).
    public var now: () -> Int64 = SystemClock.monotonicMs
    /// Where a line about a checkpoint that is skipped goes.
    public var warn: (String) -> Void = { fputs("tillflow: \($0)\n", stderr) }
    /// Leaves a memory backend's state to the kernel at exit instead of freeing it entry
    /// by entry (about a tenth of a whole run for millions of dedup keys): for a process
    /// that ends after the run.
    public var leavesMemoryStateToExit = false

    public init(outputDirectory: String, stateDirectory: String? = nil) {
        self.outputDirectory = outputDirectory
        self.stateDirectory = stateDirectory ?? outputDirectory + "/.state"
    }
}
