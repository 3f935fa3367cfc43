import Dataflow
import Foundation
import Jobs

/// A job handed to the pool (`tillflow submit`), as kept in the `TILLFLOW_JOBS` bucket
/// under its name: which job, its options that change results, and its partitions.
/// Workers build the job from it, so every partition of a job runs the same job.
public struct JobDefinition: Codable, Sendable, Equatable {
    public var name: String
    public var job: String
    public var partitions: Int
    public var windowMs: Int64
    public var outOfOrdernessMs: Int64
    public var allowedLatenessMs: Int64
    public var totalMismatch: String
    public var dedupHorizonMs: Int64
    public var lowStockThreshold: Int64
    /// How often each partition is checkpointed into JetStream.
    public var checkpointIntervalMs: Int64 = 10_000
    /// Where a partition's keyed state lives while it runs: `memory` or `rocksdb`.
    public var state: String = "rocksdb"
    /// RocksDB block cache plus write buffers, for all of a partition's locations.
    public var stateMemoryBytes: Int64 = 256 << 20
    /// Set by `tillflow jobs cancel`: workers stop its partitions and take no more.
    public var cancelled: Bool = false

    enum CodingKeys: String, CodingKey {
        case name, job, partitions, windowMs = "window_ms", outOfOrdernessMs = "out_of_orderness_ms"
        case allowedLatenessMs = "allowed_lateness_ms", totalMismatch = "total_mismatch", dedupHorizonMs = "dedup_horizon_ms"
        case lowStockThreshold = "low_stock_threshold", checkpointIntervalMs = "checkpoint_interval_ms", state
        case stateMemoryBytes = "state_memory_bytes", cancelled
    }

    public init(name: String, kind: JobKind, partitions: Int, options: JobOptions) {
        self.name = name
        job = kind.rawValue
        self.partitions = partitions
        windowMs = options.windowMs
        outOfOrdernessMs = options.outOfOrdernessMs
        allowedLatenessMs = options.allowedLatenessMs
        totalMismatch = options.totalMismatch.rawValue
        dedupHorizonMs = options.dedupHorizonMs
        lowStockThreshold = options.lowStockThreshold
    }

    public var kind: JobKind? { JobKind(rawValue: job) }

    public var backend: StateBackendKind { StateBackendKind(rawValue: state) ?? .rocksdb }

    /// The job's options, at parallelism 1: a location's run is `replay --parallelism 1`
    /// over its lines, and the pool's parallelism is its partitions.
    public var jobOptions: JobOptions {
        var options = JobOptions()
        options.windowMs = windowMs
        options.outOfOrdernessMs = outOfOrdernessMs
        options.allowedLatenessMs = allowedLatenessMs
        options.totalMismatch = TotalMismatchPolicy(rawValue: totalMismatch) ?? .correct
        options.dedupHorizonMs = dedupHorizonMs
        options.lowStockThreshold = lowStockThreshold
        options.batchLines = 1_024
        options.parallelism = 1
        return options
    }

    /// The same job, whether cancelled or not.
    public func sameJob(as other: JobDefinition) -> Bool {
        var a = self, b = other
        a.cancelled = false
        b.cancelled = false
        return a == b
    }

    public func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return Array(try encoder.encode(self))
    }

    public static func decoded(_ bytes: [UInt8]) throws -> JobDefinition {
        try JSONDecoder().decode(JobDefinition.self, from: Data(bytes))
    }
}
