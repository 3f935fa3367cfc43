import Foundation

/// A submitted job as the pool sees it (`tillflow jobs status`, live.md section 4): its
/// definition's outline, and per partition the owner, the stream sequence its last
/// checkpoint reached and the lag behind `TILLFLOW_IN`, its locations' watermarks and
/// that checkpoint. Read from the pool's buckets (`JobStatusReport.read` in CloudPool),
/// printed as lines, as JSON (`--json`), and shown on a worker's status page.
public struct JobStatusReport: Codable, Sendable, Equatable {
    public struct Partition: Codable, Sendable, Equatable {
        /// The partition's number; nil for the job's global rollups.
        public var partition: Int?
        /// The worker holding the lease; nil when none does.
        public var owner: String?
        public var reachedSequence: Int64?
        public var lagMessages: Int64?
        public var locations: Int?
        public var lowWatermarkMs: Int64?
        public var highWatermarkMs: Int64?
        public var lastCheckpoint: CheckpointFigure?

        public init(partition: Int?, owner: String?) {
            (self.partition, self.owner) = (partition, owner)
        }
    }

    public var name: String
    public var job: String
    public var partitionCount: Int
    public var cancelled: Bool
    /// `TILLFLOW_IN`'s next sequence when read.
    public var inputNextSequence: Int64
    /// Every partition in order, then the global rollups.
    public var partitions: [Partition]

    public init(name: String, job: String, partitionCount: Int, cancelled: Bool, inputNextSequence: Int64, partitions: [Partition]) {
        (self.name, self.job, self.partitionCount, self.cancelled) = (name, job, partitionCount, cancelled)
        (self.inputNextSequence, self.partitions) = (inputNextSequence, partitions)
    }

    /// What `jobs status` prints: a line for the job, one per partition, one for the
    /// global rollups.
    public var lines: [String] {
        var lines = ["job \(name): \(job), \(partitionCount) partitions, \(cancelled ? "cancelled" : "running"); "
            + "TILLFLOW_IN next sequence \(inputNextSequence)"]
        for p in partitions {
            var line = (p.partition.map { "partition \($0)" } ?? "global rollups") + ": owner \(p.owner ?? "none")"
            if let checkpoint = p.lastCheckpoint {
                if let reached = p.reachedSequence, let lag = p.lagMessages {
                    line += ", reached sequence \(reached) (lag \(lag) messages)"
                }
                if let locations = p.locations { line += ", \(locations) locations" }
                if let low = p.lowWatermarkMs, let high = p.highWatermarkMs {
                    line += ", watermarks \(Self.time(low)) .. \(Self.time(high))"
                }
                line += ", last checkpoint \(Self.time(checkpoint.takenAtMs)) (\(checkpoint.bytes) bytes"
                    + (checkpoint.durationMs.map { ", put in \($0) ms" } ?? "") + ")"
            } else {
                line += ", no checkpoint yet"
            }
            lines.append(line)
        }
        return lines
    }

    /// An instant as ISO 8601 UTC with milliseconds, as the job's rows write them.
    public static func time(_ ms: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date(timeIntervalSince1970: Double(ms) / 1_000))
    }
}
