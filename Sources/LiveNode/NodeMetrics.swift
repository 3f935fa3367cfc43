import Connectors
import Dataflow
import Foundation
import Jobs
import Metrics

/// The edge node's figures as metrics (swift-metrics; Prometheus names and units): fed
/// once per batch from what the run counts anyway, so that processing records pays
/// nothing for them. The counters are totals over the node's whole input stream: a
/// restored run starts them from its checkpoint's figures. Publish latency is recorded
/// by the outputs themselves (`JetStreamSubjectOutput.publishLatency`).
///
/// | metric | what |
/// |---|---|
/// | `tillflow_records_in_total` | input records read (clock marks not counted) |
/// | `tillflow_clock_marks_total` | clock marks read |
/// | `tillflow_records_out_total{output}` | rows published per output |
/// | `tillflow_dead_letters_total{reason}` | dead letters per reason |
/// | `tillflow_watermark_lag_seconds` | wall clock minus the validation stage's watermark |
/// | `tillflow_input_lag_messages` | input messages after the last one read |
/// | `tillflow_checkpoints_total` | checkpoints taken by this process |
/// | `tillflow_checkpoint_duration_seconds` | histogram of checkpoint durations |
/// | `tillflow_checkpoint_size_bytes` | state files of the last checkpoint |
/// | `tillflow_last_checkpoint_timestamp_seconds` | when the last checkpoint was complete |
/// | `tillflow_publish_latency_seconds` | histogram: an output row's publish to its acknowledgement |
/// | `tillflow_nats_connected` | 1 while connected to NATS |
public final class NodeMetrics {
    let recordsIn = Counter(label: "tillflow_records_in_total")
    let clockMarks = Counter(label: "tillflow_clock_marks_total")
    let watermarkLag = Gauge(label: "tillflow_watermark_lag_seconds")
    let inputLag = Gauge(label: "tillflow_input_lag_messages")
    let checkpoints = Counter(label: "tillflow_checkpoints_total")
    let checkpointDuration = Metrics.Timer(label: "tillflow_checkpoint_duration_seconds")
    let checkpointSize = Gauge(label: "tillflow_checkpoint_size_bytes")
    let lastCheckpointTime = Gauge(label: "tillflow_last_checkpoint_timestamp_seconds")
    public static let connected = Gauge(label: "tillflow_nats_connected")

    var outputs: [(name: String, output: JetStreamSubjectOutput, counter: Counter, counted: Int64)] = []
    var deadLetters: [RejectReason: (counter: Counter, counted: Int64)] = [:]
    var countedIn: Int64 = 0
    var countedMarks: Int64 = 0
    var lastCheckpoint: UInt64?
    /// The last checkpoint as the status page shows it.
    public private(set) var lastCheckpointFigure: CheckpointFigure?
    /// Rows published per output, as counted at the last `observe`.
    public var outputCounts: [Count] { outputs.map { Count($0.name, $0.counted) } }

    public init() {}

    /// Counts the rows of `output`, named `name` (`valid`, `turnover`, ...), from now on.
    public func watch(_ output: JetStreamSubjectOutput, as name: String) {
        outputs.append((name, output, Counter(label: "tillflow_records_out_total", dimensions: [("output", name)]), 0))
    }

    /// Brings the metrics up to the run's figures after a batch.
    public func observe(_ progress: RunProgress, messagesBehind: UInt64, nowMs: Int64) {
        if let statistics = progress.statistics as? RetailStatistics {
            let marks = statistics.clockMarks
            clockMarks.increment(by: marks - countedMarks)
            countedMarks = marks
            for (reason, count) in statistics.invalidByReason {
                var entry = deadLetters[reason]
                    ?? (Counter(label: "tillflow_dead_letters_total", dimensions: [("reason", reason.rawValue)]), 0)
                entry.counter.increment(by: count - entry.counted)
                entry.counted = count
                deadLetters[reason] = entry
            }
            let watermark = statistics.validationWatermark
            if watermark != .initial {
                watermarkLag.record(Double(nowMs - watermark.time) / 1000)
            }
        }
        let read = progress.statistics.recordsRead
        recordsIn.increment(by: read - countedIn)
        countedIn = read
        for i in outputs.indices {
            let rows = outputs[i].output.committedLength
            outputs[i].counter.increment(by: rows - outputs[i].counted)
            outputs[i].counted = rows
        }
        inputLag.record(Double(messagesBehind))
        if let latest = progress.latestCheckpoint, latest.id != lastCheckpoint {
            lastCheckpoint = latest.id
            checkpoints.increment()
            checkpointDuration.recordMicroseconds(latest.durationMicros)
            checkpointSize.record(Double(latest.stateBytes))
            lastCheckpointTime.record(Double(nowMs) / 1_000)
            lastCheckpointFigure = CheckpointFigure(takenAtMs: nowMs, bytes: latest.stateBytes, durationMs: latest.durationMicros / 1_000)
        }
    }
}
