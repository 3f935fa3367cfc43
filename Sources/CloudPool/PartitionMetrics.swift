import Connectors
import Dataflow
import Jobs
import LiveNode
import Metrics

/// A partition's figures as metrics (swift-metrics; Prometheus names and units), labelled
/// `job_name` (`job` is the label Prometheus gives each scrape target) and `partition`
/// (`global` for the rollups, whose records in are the
/// locations' rows it read from `TILLFLOW_OUT`): brought up to date once a
/// second from what the location runs count anyway, so that records pay nothing for
/// them. Counters are totals over the partition's stream: a partition taken over starts
/// them from its checkpoint's figures, as a restored edge node does. When the partition
/// leaves this worker its series go too (`destroy`), so that no stale lag stays behind.
///
/// | metric | what |
/// |---|---|
/// | `tillflow_records_in_total{job_name,partition}` | input records of the partition's locations (clock marks not counted) |
/// | `tillflow_records_out_total{job_name,partition,output}` | rows published, all locations together |
/// | `tillflow_dead_letters_total{job_name,partition,reason}` | dead letters per reason |
/// | `tillflow_input_lag_messages{job_name,partition}` | `TILLFLOW_IN` messages after the last one read |
/// | `tillflow_partition_locations{job_name,partition}` | locations with a clock in the partition |
/// | `tillflow_watermark_lag_seconds{job_name,partition,bound}` | wall clock minus the least (`low`) and greatest (`high`) location watermark |
/// | `tillflow_checkpoints_total{job_name,partition}` | checkpoints put into JetStream by this worker |
/// | `tillflow_checkpoint_duration_seconds{job_name,partition}` | histogram: locations checkpointed, packed and uploaded |
/// | `tillflow_checkpoint_size_bytes{job_name,partition}` | the last checkpoint's archive |
/// | `tillflow_last_checkpoint_timestamp_seconds{job_name,partition}` | when the last checkpoint was stored |
final class PartitionMetrics {
    let dimensions: [(String, String)]
    let recordsIn: Counter
    let inputLag: Gauge
    let locations: Gauge
    let lowWatermarkLag: Gauge
    let highWatermarkLag: Gauge
    let checkpoints: Counter
    let checkpointDuration: Metrics.Timer
    let checkpointSize: Gauge
    let lastCheckpoint: Gauge
    private var outputs: [String: (counter: Counter, outputs: [JetStreamSubjectOutput], counted: Int64)] = [:]
    private var deadLetters: [RejectReason: (counter: Counter, counted: Int64)] = [:]
    private var countedIn: Int64 = 0
    private var observedAtMs: Int64?
    /// The worker's status page, which gets the same figures as a `PartStatus`.
    let status: StatusBoard?
    let job: String
    let partition: String
    private var lastCheckpointFigure: CheckpointFigure?

    /// The partition's job, so that a partition with no location yet still shows its stages.
    let kind: JobKind?

    init(job: String, partition: String, kind: JobKind? = nil, status: StatusBoard? = nil) {
        (self.job, self.partition, self.kind, self.status) = (job, partition, kind, status)
        dimensions = [("job_name", job), ("partition", partition)]
        recordsIn = Counter(label: "tillflow_records_in_total", dimensions: dimensions)
        inputLag = Gauge(label: "tillflow_input_lag_messages", dimensions: dimensions)
        locations = Gauge(label: "tillflow_partition_locations", dimensions: dimensions)
        lowWatermarkLag = Gauge(label: "tillflow_watermark_lag_seconds", dimensions: dimensions + [("bound", "low")])
        highWatermarkLag = Gauge(label: "tillflow_watermark_lag_seconds", dimensions: dimensions + [("bound", "high")])
        checkpoints = Counter(label: "tillflow_checkpoints_total", dimensions: dimensions)
        checkpointDuration = Metrics.Timer(label: "tillflow_checkpoint_duration_seconds", dimensions: dimensions)
        checkpointSize = Gauge(label: "tillflow_checkpoint_size_bytes", dimensions: dimensions)
        lastCheckpoint = Gauge(label: "tillflow_last_checkpoint_timestamp_seconds", dimensions: dimensions)
    }

    /// Counts the rows of `output` (a location's `valid`, `turnover`, ...) from now on.
    func watch(_ output: JetStreamSubjectOutput, as name: String) {
        var entry = outputs[name]
            ?? (Counter(label: "tillflow_records_out_total", dimensions: dimensions + [("output", name)]), [], 0)
        entry.outputs.append(output)
        outputs[name] = entry
    }

    /// Brings the metrics up to the location runs' figures, at most once a second.
    func observe(_ runs: LocationRuns, messagesBehind: UInt64, nowMs: Int64) {
        if let observedAtMs, nowMs - observedAtMs < 1_000 { return }
        observedAtMs = nowMs
        var read: Int64 = 0
        var invalid: [RejectReason: Int64] = [:]
        var watermarks: (low: Int64, high: Int64)?
        var retailLocations: [(name: String, statistics: RetailStatistics)] = []
        for location in runs.locations {
            guard let statistics = runs.progress(of: location)?.statistics else { continue }
            read += statistics.recordsRead
            guard let retail = statistics as? RetailStatistics else { continue }
            retailLocations.append((location, retail))
            invalid.merge(retail.invalidByReason, uniquingKeysWith: +)
            let mark = retail.validationWatermark
            if mark != .initial {
                watermarks = (min(watermarks?.low ?? .max, mark.time), max(watermarks?.high ?? .min, mark.time))
            }
        }
        update(read: read, invalid: invalid, messagesBehind: messagesBehind, locations: runs.locations.count)
        if let status, let kind = kind ?? retailLocations.first?.statistics.kind {
            status.post(PartStatus(job: job, part: partition, kind: kind, locations: retailLocations, outputs: outputCounts,
                                   inputLagMessages: Int64(messagesBehind), lastCheckpoint: lastCheckpointFigure), atMs: nowMs)
        }
        if let watermarks {
            lowWatermarkLag.record(Double(nowMs - watermarks.low) / 1_000)
            highWatermarkLag.record(Double(nowMs - watermarks.high) / 1_000)
        }
    }

    /// The global rollups' figures, at most once a second: the locations' rows read from
    /// `TILLFLOW_OUT` (as records in) and the messages after them.
    func observe(rowsRead: Int64, messagesBehind: UInt64, nowMs: Int64) {
        if let observedAtMs, nowMs - observedAtMs < 1_000 { return }
        observedAtMs = nowMs
        update(read: rowsRead, invalid: [:], messagesBehind: messagesBehind, locations: 0)
        let rows = outputCounts
        status?.post(PartStatus(job: job, part: partition,
                                stages: [StageCount("locations' rows", after: nil, records: rowsRead),
                                         StageCount("global rollups", after: "locations' rows", records: rows.reduce(0) { $0 + $1.count })],
                                outputs: rows, deadLetters: [], locations: [], inputLagMessages: Int64(messagesBehind),
                                lastCheckpoint: lastCheckpointFigure), atMs: nowMs)
    }

    /// Rows published per output, as counted at the last update.
    private var outputCounts: [Count] { outputs.keys.sorted().map { Count($0, outputs[$0]!.counted) } }

    private func update(read: Int64, invalid: [RejectReason: Int64], messagesBehind: UInt64, locations count: Int) {
        recordsIn.increment(by: max(0, read - countedIn))
        countedIn = max(countedIn, read)
        for (reason, count) in invalid {
            var entry = deadLetters[reason]
                ?? (Counter(label: "tillflow_dead_letters_total", dimensions: dimensions + [("reason", reason.rawValue)]), 0)
            entry.counter.increment(by: max(0, count - entry.counted))
            entry.counted = max(entry.counted, count)
            deadLetters[reason] = entry
        }
        for (name, entry) in outputs {
            let rows = entry.outputs.reduce(0) { $0 + $1.committedLength }
            entry.counter.increment(by: max(0, rows - entry.counted))
            outputs[name]!.counted = max(entry.counted, rows)
        }
        inputLag.record(Double(messagesBehind))
        locations.record(Double(count))
    }

    /// A checkpoint stored: how long it took, its archive's size and when.
    func checkpointed(bytes: Int, durationMs: Int64, atMs: Int64) {
        checkpoints.increment()
        checkpointDuration.recordMilliseconds(durationMs)
        checkpointSize.record(Double(bytes))
        lastCheckpoint.record(Double(atMs) / 1_000)
        lastCheckpointFigure = CheckpointFigure(takenAtMs: atMs, bytes: Int64(bytes), durationMs: durationMs)
    }

    /// The partition left this worker: its series go.
    func destroy() {
        for metric in [recordsIn, checkpoints] + outputs.values.map(\.counter) + deadLetters.values.map(\.counter) { metric.destroy() }
        for gauge in [inputLag, locations, lowWatermarkLag, highWatermarkLag, checkpointSize, lastCheckpoint] { gauge.destroy() }
        checkpointDuration.destroy()
        status?.remove(job: job, part: partition)
    }
}
