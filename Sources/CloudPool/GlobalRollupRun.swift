import Connectors
import Dataflow
import Foundation
import LiveNode
import Logging
import NATS
import NIOConcurrencyHelpers

/// A cloud job's global rollups, run by the worker that holds the job's `global` lease:
/// its locations' `turnover` and `availability` rows read from `TILLFLOW_OUT` in stream
/// order, folded by `GlobalRollup`, published to `tillflow.job.<name>._global.rollup`
/// and `._global.availability` exactly once (ordinals, as every output), checkpointed
/// into JetStream with the stream sequence reached.
///
/// Exactly once across hand-overs: the rows are a function of `TILLFLOW_OUT`'s order,
/// which is fixed once stored, so a run restored from a checkpoint makes the rows after
/// it again, and its outputs skip those the stream holds.
public final class GlobalRollupRun: LeasedRun, @unchecked Sendable {
    public let definition: JobDefinition
    let js: JetStream
    let checkpoints: PartitionCheckpoints
    let lease: NIOLockedValueBox<PartitionLease>
    let checkpointIntervalMs: Int64
    let nowMs: @Sendable () -> Int64
    let logger: Logger
    /// Where the worker's status page reads this part's figures, if it has one.
    let status: StatusBoard?
    private let stop = StopControl()

    /// What a checkpoint of the global rollups holds.
    struct Checkpoint: Codable {
        var state: GlobalRollup
        var rollupRows: Int64
        var availabilityRows: Int64
        /// The locations' rows read so far (absent in checkpoints of earlier builds).
        var rowsRead: Int64?
    }

    public init(definition: JobDefinition, js: JetStream, checkpoints: PartitionCheckpoints,
                lease: NIOLockedValueBox<PartitionLease>, checkpointIntervalMs: Int64,
                nowMs: @escaping @Sendable () -> Int64, logger: Logger,
                status: StatusBoard? = nil) {
        self.definition = definition
        self.js = js
        self.checkpoints = checkpoints
        self.lease = lease
        self.checkpointIntervalMs = checkpointIntervalMs
        self.nowMs = nowMs
        self.logger = logger
        self.status = status
    }

    public func requestStop(_ how: RunStop) { stop.request(how) }

    public func run() throws -> RunStop {
        let (name, js, lease, nowMs) = (definition.name, js, lease, nowMs)
        let restored = try blockingWait { [checkpoints, logger] in
            try await checkpoints.restore(job: name, part: "global") { logger.warning("\($0)") }
        }
        var checkpoint = Checkpoint(state: GlobalRollup(), rollupRows: 0, availabilityRows: 0)
        if let restored { checkpoint = try JSONDecoder().decode(Checkpoint.self, from: Data(restored.archive)) }
        var state = checkpoint.state
        let mayPublish: @Sendable () -> Bool = { lease.withLockedValue { $0.mayPublish(atMs: nowMs()) } }
        func output(_ kind: String, committed: Int64) throws -> JetStreamSubjectOutput {
            let opened = try JetStreamSubjectOutput(js: js, stream: "TILLFLOW_OUT", subject: "tillflow.job.\(name)._global.\(kind)",
                                                    committed: restored == nil ? nil : committed)
            opened.mayPublish = mayPublish
            opened.abandonsWhileDisconnected = { [stop] in stop.current != nil }
            return opened
        }
        let rollup = try output("rollup", committed: checkpoint.rollupRows)
        let availability = try output("availability", committed: checkpoint.availabilityRows)
        let metrics = PartitionMetrics(job: name, partition: "global", status: status)
        defer { metrics.destroy() }
        metrics.watch(rollup, as: "rollup")
        metrics.watch(availability, as: "availability")
        var rowsRead = checkpoint.rowsRead ?? 0
        let start = restored?.sequence ?? 1
        let consumer = try blockingWait {
            try await JetStreamPullConsumer.start(js, stream: "TILLFLOW_OUT", startSequence: UInt64(start),
                                                  filterSubjects: ["tillflow.job.\(name).*.turnover", "tillflow.job.\(name).*.availability"],
                                                  batch: 1_024)
        }
        defer { try? blockingWait { await consumer.stop() } }
        consumer.onArrival { [stop] in stop.wake.signal() }
        logger.info("global rollups started", metadata: ["job": "\(name)", "from": "\(start)"])
        var lastCheckpointMs = nowMs()
        func takeCheckpoint() throws {
            let startedMs = nowMs()
            try rollup.sync()
            try availability.sync()
            let sequence = Int64(consumer.nextSequence)
            try forgetPassedWindows(&state, readBefore: sequence)
            let saved = Checkpoint(state: state, rollupRows: rollup.committedLength, availabilityRows: availability.committedLength,
                                   rowsRead: rowsRead)
            let bytes = Array(try JSONEncoder().encode(saved))
            let taken = nowMs()
            _ = try blockingWait { [checkpoints] in
                try await checkpoints.save(job: name, part: "global", sequence: sequence, archive: bytes, locations: 0,
                                           watermarks: nil, takenAtMs: taken)
            }
            metrics.checkpointed(bytes: bytes.count, durationMs: nowMs() - startedMs, atMs: nowMs())
        }
        do {
            while true {
                if let how = stop.current {
                    if how == .release { try takeCheckpoint() }
                    return how
                }
                guard mayPublish() else {
                    logger.warning("lease may have lapsed: global rollups stopped", metadata: ["job": "\(name)"])
                    return .abandon
                }
                let messages = try consumer.poll(max: 1_024)
                var rollupRows: [UInt8] = [], availabilityRows: [UInt8] = []
                for message in messages {
                    let tokens = message.subject.split(separator: ".")
                    // `*.availability` matches the job's own `_global.availability` too.
                    guard tokens.count == 5, tokens[3] != "_global" else { continue }
                    rowsRead += 1
                    if tokens[4] == "turnover" {
                        rollupRows += try state.storeRow(message.payload)
                    } else {
                        availabilityRows += try state.availabilityRow(message.payload, location: String(tokens[3]))
                    }
                }
                if !rollupRows.isEmpty { try rollup.appendRows(rollupRows) }
                if !availabilityRows.isEmpty { try availability.appendRows(availabilityRows) }
                metrics.observe(rowsRead: rowsRead, messagesBehind: consumer.messagesBehind, nowMs: nowMs())
                if nowMs() - lastCheckpointMs >= checkpointIntervalMs {
                    try takeCheckpoint()
                    lastCheckpointMs = nowMs()
                }
                if messages.isEmpty { stop.pause() }
            }
        } catch is PublishingAbandoned {
            return .abandon
        }
    }

    /// Forgets the windows every location's clock has passed by the allowed lateness
    /// plus the horizon: the slowest clock is the least low watermark the partitions'
    /// last checkpoints recorded. Only once every row made before those watermarks has
    /// been read (`TILLFLOW_OUT` below `readBefore`): a window is forgotten after its last
    /// row, never before it. A partition not yet checkpointed holds everything back.
    func forgetPassedWindows(_ state: inout GlobalRollup, readBefore: Int64) throws {
        let (name, partitions, checkpoints) = (definition.name, definition.partitions, checkpoints)
        let slowest = try blockingWait { () -> Int64? in
            var slowest: Int64? = nil
            for partition in 0 ..< partitions {
                guard let record = try await checkpoints.record(job: name, part: String(partition)),
                      let through = record.outputsThrough, through < readBefore else { return nil }
                if let low = record.lowWatermark { slowest = min(slowest ?? low, low) }
            }
            return slowest
        }
        if let slowest { state.forget(windowsEndingBefore: slowest - definition.allowedLatenessMs - GlobalRollup.horizonMs) }
    }
}
