import LiveNode
import NATS

extension JobStatusReport {
    /// The job `name` as the pool's buckets hold it now: its definition, each
    /// partition's lease and last checkpoint record, and its global rollups'.
    public static func read(_ js: JetStream, name: String) async throws -> JobStatusReport? {
        let jobs = try await KeyValueBucket.open(js, name: "TILLFLOW_JOBS")
        guard let entry = try await jobs.get(name) else { return nil }
        let job = try JobDefinition.decoded(entry.value)
        let leases = try await KeyValueBucket.open(js, name: "TILLFLOW_LEASES", allowsTTL: true)
        let checkpoints = try await PartitionCheckpoints.open(js)
        let head = Int64(try await js.streamInfo("TILLFLOW_IN").state.lastSeq) + 1
        var partitions: [Partition] = []
        for partition in Array(0 ..< job.partitions).map(Optional.some) + [nil] {
            let part = partition.map(String.init) ?? "global"
            let owner = try await leases.get("\(job.name).\(part)").map { String(decoding: $0.value, as: UTF8.self) }
            var row = Partition(partition: partition, owner: owner)
            if let record = try await checkpoints.record(job: job.name, part: part) {
                row.lastCheckpoint = CheckpointFigure(takenAtMs: record.takenAtMs, bytes: Int64(record.bytes), durationMs: record.uploadMs)
                if partition != nil {  // the global rollups read TILLFLOW_OUT, not TILLFLOW_IN
                    row.reachedSequence = record.sequence
                    row.lagMessages = max(0, head - record.sequence)
                    row.locations = record.locations
                    (row.lowWatermarkMs, row.highWatermarkMs) = (record.lowWatermark, record.highWatermark)
                }
            }
            partitions.append(row)
        }
        return JobStatusReport(name: job.name, job: job.job, partitionCount: job.partitions, cancelled: job.cancelled,
                               inputNextSequence: head, partitions: partitions)
    }

    /// Every submitted job's report, by name.
    public static func readAll(_ js: JetStream) async throws -> [JobStatusReport] {
        let jobs = try await KeyValueBucket.open(js, name: "TILLFLOW_JOBS")
        var reports: [JobStatusReport] = []
        for name in try await jobs.keys() {
            if let report = try await read(js, name: name) { reports.append(report) }
        }
        return reports
    }
}
