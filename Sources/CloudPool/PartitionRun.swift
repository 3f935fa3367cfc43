import Connectors
import Dataflow
import Foundation
import Jobs
import LiveNode
import Logging
import NATS
import NIOConcurrencyHelpers

/// One partition of a cloud job, run by the worker that holds its lease: the lines of
/// its locations (`fnv1a32(location) mod P`) read from `TILLFLOW_IN` in stream order,
/// each location's run a `replay --parallelism 1` of the job over its lines alone
/// (`LocationRuns`), its rows published to `tillflow.job.<name>.<loc>.<output>`
/// exactly once, and its checkpoints put into JetStream (`PartitionCheckpoints`), so
/// that another worker goes on where it stopped.
///
/// It runs on a thread of its own (it blocks on RocksDB and on acknowledgements) until
/// asked to stop: `release` takes a last checkpoint first (a worker leaving, or handing
/// a partition to a newcomer); `abandon` stops at once (the lease is lost: another may
/// already own the partition). It stops on its own, publishing nothing more, when its
/// lease may have lapsed.
public final class PartitionRun: LeasedRun, @unchecked Sendable {
    public let definition: JobDefinition
    public let partition: Int
    let js: JetStream
    let checkpoints: PartitionCheckpoints
    /// Local scratch: the locations' state while the partition runs here.
    let directory: String
    let lease: NIOLockedValueBox<PartitionLease>
    let checkpointIntervalMs: Int64
    let backend: StateBackendKind
    /// RocksDB's memory for all the partition's locations, shared out evenly.
    let memoryBudget: Int64
    let nowMs: @Sendable () -> Int64
    let logger: Logger
    /// Where the worker's status page reads this part's figures, if it has one.
    let status: StatusBoard?
    private let stop = StopControl()

    public init(definition: JobDefinition, partition: Int, js: JetStream, checkpoints: PartitionCheckpoints,
                directory: String, lease: NIOLockedValueBox<PartitionLease>, checkpointIntervalMs: Int64,
                backend: StateBackendKind, memoryBudget: Int64, nowMs: @escaping @Sendable () -> Int64, logger: Logger,
                status: StatusBoard? = nil) {
        self.definition = definition
        self.partition = partition
        self.js = js
        self.checkpoints = checkpoints
        self.directory = directory
        self.lease = lease
        self.checkpointIntervalMs = checkpointIntervalMs
        self.backend = backend
        self.memoryBudget = memoryBudget
        self.nowMs = nowMs
        self.logger = logger
        self.status = status
    }

    public func requestStop(_ how: RunStop) { stop.request(how) }

    public func run() throws -> RunStop {
        guard let kind = definition.kind else { throw PartitionCheckpointError("job \(definition.name): unknown job '\(definition.job)'") }
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let restored = try blockingWait { [self] in
            try await checkpoints.restore(job: definition.name, part: String(partition)) { logger.warning("\($0)") }
        }
        var locations: [String] = []
        if let restored { locations = try PartitionArchive.unpack(restored.archive, into: directory) }

        let (name, js, lease) = (definition.name, js, lease)
        let nowMs = self.nowMs
        let mayPublish: @Sendable () -> Bool = { lease.withLockedValue { $0.mayPublish(atMs: nowMs()) } }
        let budget = max(16 << 20, memoryBudget / Int64(max(8, locations.count)))
        let metrics = PartitionMetrics(job: name, partition: String(partition), kind: kind, status: status)
        defer { metrics.destroy() }
        let runs = LocationRuns(streamName: "TILLFLOW_IN", batchLines: definition.jobOptions.batchLines) { [directory, backend, stop] location in
            var settings = RunSettings(outputDirectory: "\(directory)/\(location)/out", stateDirectory: "\(directory)/\(location)")
            settings.backend = backend
            settings.memoryBudget = budget
            settings.checkpointIntervalMs = .max
            let run = JobRun(job: RetailJob(kind, options: self.definition.jobOptions), inputs: [], settings: settings)
            run.openOutput = { file, committed in
                let output = try JetStreamSubjectOutput(
                    js: js, stream: "TILLFLOW_OUT", subject: "tillflow.job.\(name).\(location).\(file.replacingOccurrences(of: ".jsonl", with: ""))",
                    committed: committed)
                output.mayPublish = mayPublish
                // A stop asked for while NATS is away: the last checkpoint stands.
                output.abandonsWhileDisconnected = { [stop] in stop.current != nil }
                metrics.watch(output, as: file.replacingOccurrences(of: ".jsonl", with: ""))
                return output
            }
            return run
        }
        let resumed = try runs.resume(locations)
        let start = locations.isEmpty ? restored?.sequence ?? 1 : resumed
        let consumer = try blockingWait { try await JetStreamPullConsumer.start(js, stream: "TILLFLOW_IN", startSequence: UInt64(start), batch: 1_024) }
        defer { try? blockingWait { await consumer.stop() } }
        consumer.onArrival { [stop] in stop.wake.signal() }
        logger.info("partition started", metadata: ["job": "\(name)", "partition": "\(partition)", "from": "\(start)",
                                                    "locations": "\(locations.count)"])
        var lastCheckpointMs = nowMs()
        // What the last checkpoint holds: none is taken again while nothing moved.
        var checkpointed = start
        var pushedSince = false
        do {
            while true {
                if let how = stop.current {
                    if how == .release && (pushedSince || Int64(consumer.nextSequence) != checkpointed) {
                        try checkpoint(runs, at: Int64(consumer.nextSequence), metrics: metrics)
                    }
                    runs.abandon()
                    return how
                }
                guard mayPublish() else {
                    logger.warning("lease may have lapsed: partition stopped", metadata: ["job": "\(name)", "partition": "\(partition)"])
                    runs.abandon()
                    return .abandon
                }
                let messages = try consumer.poll(max: 1_024)
                for message in messages {
                    guard let location = ownLocation(ofSubject: message.subject) else { continue }
                    try runs.push(.streamMessage(sequence: message.streamSequence, payload: message.payload), location: location)
                    pushedSince = true
                }
                try runs.runUntilIdle()
                metrics.observe(runs, messagesBehind: consumer.messagesBehind, nowMs: nowMs())
                let position = Int64(consumer.nextSequence)
                if nowMs() - lastCheckpointMs >= checkpointIntervalMs && (pushedSince || position != checkpointed) {
                    try checkpoint(runs, at: position, metrics: metrics)
                    (checkpointed, pushedSince) = (position, false)
                    lastCheckpointMs = nowMs()
                }
                if messages.isEmpty { stop.pause() }
            }
        } catch {
            runs.abandon()
            if error is PublishingAbandoned { return .abandon }
            throw error
        }
    }

    /// The subjects seen, with their location when it is one of this partition's: a
    /// handful of subjects per location, looked up once each rather than cut and hashed
    /// for every message.
    private var subjects: [String: String?] = [:]

    /// The location of a `TILLFLOW_IN` subject if it belongs to this partition.
    func ownLocation(ofSubject subject: String) -> String? {
        if let known = subjects[subject] { return known }
        let location = LocationPartition.location(ofSubject: subject).map(String.init) ?? RecordLocation.unknown
        let own = LocationPartition.of(location, partitions: definition.partitions) == partition ? location : nil
        if subjects.count >= 100_000 { subjects.removeAll() }  // subjects made up by a publisher stay bounded
        subjects[subject] = .some(own)
        return own
    }

    /// Checkpoints every location (each has seen every line below `sequence`), then
    /// puts the partition's archive and record into JetStream.
    func checkpoint(_ runs: LocationRuns, at sequence: Int64, metrics: PartitionMetrics) throws {
        let startedMs = nowMs()
        try runs.checkpoint(caughtUpTo: sequence)
        let archive = try PartitionArchive.pack(directory, locations: runs.locations)
        let watermarks = runs.locations.compactMap { location -> Int64? in
            guard let statistics = runs.progress(of: location)?.statistics as? RetailStatistics else { return nil }
            let mark = statistics.validationWatermark
            return mark == .initial ? nil : mark.time
        }
        let range = watermarks.min().map { $0 ... watermarks.max()! }
        let (job, partition, taken, js) = (definition.name, partition, nowMs(), js)
        _ = try blockingWait { [checkpoints] in
            // Every row of the checkpoint is stored (its outputs were synced): at or before this.
            let outputsThrough = Int64(try await js.streamInfo("TILLFLOW_OUT").state.lastSeq)
            return try await checkpoints.save(job: job, part: String(partition), sequence: sequence, archive: archive,
                                              locations: runs.locations.count, watermarks: range, outputsThrough: outputsThrough,
                                              takenAtMs: taken)
        }
        metrics.checkpointed(bytes: archive.count, durationMs: nowMs() - startedMs, atMs: nowMs())
    }
}
