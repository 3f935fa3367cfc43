import Connectors
import Dataflow
import Foundation
import LiveNode
import Logging
import Metrics
import NATS
import NIOConcurrencyHelpers

/// A member of the cloud worker pool (`tillflow worker`, live.md section 4): it says it
/// is alive in the `TILLFLOW_WORKERS` bucket, takes partitions of submitted jobs through
/// leases in `TILLFLOW_LEASES`, runs each on a thread of its own (`PartitionRun`), and
/// renews their leases. Workers share the partitions evenly among those alive: each
/// takes free partitions up to its share and hands back what is over it (after a last
/// checkpoint), so a worker that joins gets partitions and the partitions of one that
/// left or died are taken by the others once their leases lapse.
public final class Worker: @unchecked Sendable {
    public struct Settings: Sendable {
        public var leaseMs: Int64 = 10_000
        public var stateDirectory = "tillflow-worker"
        public init() {}
    }

    public let id: String
    /// The worker's status page (`--metrics`), if it serves one: every part's figures,
    /// and the pool's jobs and stores read every 5 s.
    public var status: StatusBoard?
    let js: JetStream
    let settings: Settings
    let logger: Logger
    let nowMs: @Sendable () -> Int64
    let jobs: KeyValueBucket
    let workers: KeyValueBucket
    let leases: KeyValueBucket
    let checkpoints: PartitionCheckpoints

    typealias Owned = LeaseKeeper.Held
    /// The partitions this worker runs, by lease key.
    private var owned: [String: Owned] = [:]
    /// Renews the leases of `owned` on a thread of its own.
    let keeper: LeaseKeeper
    /// Parts stopped whose lease could not be deleted: they wait for it to lapse.
    private var unreleased: Set<String> = []
    private var heartbeatRevision: UInt64?
    private var sourcing: SourcingWatch
    private var lastSourcingCheckMs: Int64 = 0
    private var lastPoolReadMs: Int64 = 0
    /// `tillflow_partitions_owned`: parts (partitions and global rollups) running here.
    private let ownedGauge = Gauge(label: "tillflow_partitions_owned")
    /// `tillflow_leases_taken_total`: parts taken, at the start or from a worker gone.
    private let leasesTaken = Counter(label: "tillflow_leases_taken_total")
    /// `tillflow_leases_lost_total`: parts stopped without being handed back (the lease
    /// found taken or about to lapse, or a stop while NATS was away).
    private let leasesLost = Counter(label: "tillflow_leases_lost_total")
    /// `tillflow_partition_failures_total`: parts ended by an error (logged; the lease
    /// handed back, so that a worker takes the part again from its last checkpoint).
    private let partitionFailures = Counter(label: "tillflow_partition_failures_total")

    public static func join(_ js: JetStream, settings: Settings, logger: Logger,
                            nowMs: @escaping @Sendable () -> Int64 = { SystemClock.wallMs() }) throws -> Worker {
        // Rows kept by the connection for its next server would overtake the rows the
        // outputs send again, in order, after a reconnection (seen on a hub cluster
        // losing a server): the outputs must be the only ones to send rows again.
        guard js.connection.reconnectBufferBytes == 0 else {
            throw WorkerSetupError("a worker's NATS connection must keep no publishes for reconnection (reconnectBufferBytes 0)")
        }
        let buckets = try blockingWait {
            (try await KeyValueBucket.open(js, name: "TILLFLOW_JOBS"),
             try await KeyValueBucket.open(js, name: "TILLFLOW_WORKERS", allowsTTL: true),
             try await KeyValueBucket.open(js, name: "TILLFLOW_LEASES", allowsTTL: true),
             try await PartitionCheckpoints.open(js))
        }
        _ = try blockingWait { try await TillflowStreams.ensure(js) }
        return Worker(js: js, settings: settings, logger: logger, nowMs: nowMs, jobs: buckets.0, workers: buckets.1,
                      leases: buckets.2, checkpoints: buckets.3)
    }

    init(js: JetStream, settings: Settings, logger: Logger, nowMs: @escaping @Sendable () -> Int64, jobs: KeyValueBucket,
         workers: KeyValueBucket, leases: KeyValueBucket, checkpoints: PartitionCheckpoints) {
        let host = ProcessInfo.processInfo.hostName.map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "-" }
        id = String(host.prefix(40)) + "-\(getpid())-" + String(UInt32.random(in: 0 ... .max), radix: 16)
        self.js = js
        self.settings = settings
        var logger = logger
        logger[metadataKey: "worker"] = "\(id)"
        self.logger = logger
        self.nowMs = nowMs
        self.jobs = jobs
        self.workers = workers
        self.leases = leases
        self.checkpoints = checkpoints
        sourcing = SourcingWatch(js: js)
        keeper = LeaseKeeper(leases: leases, workerID: id, ttl: .milliseconds(settings.leaseMs), nowMs: nowMs, logger: logger)
    }

    var ttl: Duration { .milliseconds(settings.leaseMs) }
    var tickMs: Int64 { min(1_000, max(100, settings.leaseMs / 6)) }

    /// Works until `shouldStop` says so, then hands every partition back after a last
    /// checkpoint and leaves. Returns the parts that could not be handed back (not stopped
    /// in time, or their lease not deleted): those wait for their leases to lapse.
    @discardableResult
    public func run(shouldStop: () -> Bool) throws -> [String] {
        logger.info("worker joined the pool")
        keeper.start()
        defer { keeper.stop() }
        while !shouldStop() {
            do {
                try tick()
            } catch {
                logger.warning("pool bookkeeping failed; trying again", metadata: ["error": "\(error)"])
            }
            var waited: Int64 = 0
            while waited < tickMs && !shouldStop() {
                usleep(20_000)
                waited += 20
            }
        }
        // Parts go back after a last checkpoint; with NATS away none can be written, and
        // the last ones stand: they stop at once, and their leases lapse.
        let how: RunStop = js.connection.isConnected ? .release : .abandon
        for (_, partition) in owned { partition.run.requestStop(how) }
        // Final checkpoints may take a while on a loaded server; their leases are renewed meanwhile.
        let deadline = nowMs() + min(60_000, max(30_000, 3 * settings.leaseMs))
        while owned.values.contains(where: { $0.ended.withLockedValue { $0 } == nil }) && nowMs() < deadline {
            usleep(20_000)
        }
        reapEnded()
        let lapsing = owned.keys.sorted() + unreleased.sorted()
        if !lapsing.isEmpty {
            logger.warning("parts not handed back: their leases lapse", metadata: ["parts": "\(lapsing.joined(separator: ","))"])
        }
        try? blockingWait { [workers, id] in try await workers.delete(id) }
        logger.info("worker left the pool")
        return lapsing
    }

    /// One round: alive, ended runs put away, partitions balanced, the status page fed
    /// (the leases are renewed by `keeper`, on a thread of its own).
    func tick() throws {
        try heartbeat()
        reapEnded()
        try balance()
        ownedGauge.record(Double(owned.count))
        try watchSourcing()
        try readPool()
    }

    /// Every 5 s, for the status page: every job's report and each store's sync lag.
    func readPool() throws {
        let now = nowMs()
        guard let status, now - lastPoolReadMs >= 5_000 else { return }
        lastPoolReadMs = now
        let js = js
        let (jobs, info) = try blockingWait { (try await JobStatusReport.readAll(js), try await js.streamInfo("TILLFLOW_IN")) }
        let stores = (info.sources ?? []).compactMap { source -> StoreSync? in
            guard let store = SourcingWatch.store(ofAPI: source.external?.api) else { return nil }
            return StoreSync(store: store, lagMessages: Int64(source.lag),
                             lastHeardSeconds: source.active < 0 ? nil : Double(source.active) / 1e9)
        }
        status.pool(jobs: jobs, stores: stores.sorted { $0.store < $1.store })
    }

    /// Every 5 s, on the first worker alive by id: the hub's sourcing of stores kept
    /// moving after a link returns (`SourcingWatch`).
    func watchSourcing() throws {
        let now = nowMs()
        guard now - lastSourcingCheckMs >= 5_000 else { return }
        lastSourcingCheckMs = now
        let workers = workers
        guard try blockingWait({ try await workers.keys().first }) == id else { return }
        let current = sourcing
        let restarted = try blockingWait { () -> ([String], SourcingWatch) in
            var watch = current
            let restarted = try await watch.check(nowMs: now)
            return (restarted, watch)
        }
        sourcing = restarted.1
        for store in restarted.0 { logger.info("sourcing of a store restarted after its link came back", metadata: ["store": "\(store)"]) }
    }

    func heartbeat() throws {
        let (workers, id, ttl, revision) = (workers, id, ttl, heartbeatRevision)
        heartbeatRevision = try blockingWait {
            if let revision, let renewed = try? await workers.update(id, Array("alive".utf8), revision: revision, ttl: ttl) {
                return renewed
            }
            return try await workers.create(id, Array("alive".utf8), ttl: ttl)
        }
    }

    /// Runs that have stopped: their leases given back (when still held), errors logged.
    func reapEnded() {
        for (key, partition) in owned {
            guard let ended = partition.ended.withLockedValue({ $0 }) else { continue }
            owned[key] = nil
            keeper.release(key)
            switch ended {
            case .success(.release), .failure:
                if case let .failure(error) = ended {
                    partitionFailures.increment()
                    logger.error("partition failed", metadata: ["lease": "\(key)", "error": "\(error)"])
                }
                if !handBack(key, revision: partition.lease.withLockedValue { $0.revision }) { unreleased.insert(key) }
            case .success(.abandon):
                leasesLost.increment()
            }
        }
    }

    /// Deletes a lease this worker holds, so that another takes the part at once. A
    /// renewal whose answer was lost may have moved the revision on: the lease is read
    /// again and deleted at its current revision while it still names this worker.
    /// Returns whether the lease is gone (or another's); false leaves it to lapse.
    func handBack(_ key: String, revision: UInt64) -> Bool {
        let (leases, id) = (leases, id)
        var revision = revision
        for _ in 0 ..< 3 {
            do {
                let at = revision
                try blockingWait { try await leases.delete(key, revision: at) }
                return true
            } catch KeyValueError.wrongRevision {
                guard let entry = try? blockingWait({ try await leases.get(key) }) else { continue }
                guard String(decoding: entry.value, as: UTF8.self) == id else { return true }
                revision = entry.revision
            } catch {
                logger.warning("lease not handed back; trying again", metadata: ["lease": "\(key)", "error": "\(error)"])
            }
        }
        return false
    }

    /// Takes free partitions up to this worker's share and hands back what is over it.
    func balance() throws {
        let (jobs, workers) = (jobs, workers)
        let (definitions, alive) = try blockingWait { () -> ([JobDefinition], Int) in
            var definitions: [JobDefinition] = []
            for key in try await jobs.keys() {
                if let entry = try await jobs.get(key) { definitions.append(try JobDefinition.decoded(entry.value)) }
            }
            return (definitions, try await workers.keys().count)
        }
        // Every partition of every running job, and each job's global rollups (`nil`).
        var wanted: [(key: String, definition: JobDefinition, partition: Int?)] = []
        for definition in definitions where !definition.cancelled {
            for partition in 0 ..< definition.partitions { wanted.append(("\(definition.name).\(partition)", definition, partition)) }
            wanted.append(("\(definition.name).global", definition, nil))
        }
        let wantedKeys = Set(wanted.map(\.key))
        for (key, partition) in owned where !wantedKeys.contains(key) { partition.run.requestStop(.release) }
        let share = wanted.isEmpty ? 0 : (wanted.count + max(1, alive) - 1) / max(1, alive)
        let running = owned.filter { wantedKeys.contains($0.key) }
        if running.count > share {
            for key in running.keys.sorted().suffix(running.count - share) { owned[key]!.run.requestStop(.release) }
            return
        }
        guard running.count < share else { return }
        // Each worker starts looking at a place of its own, so that they seldom race.
        let offset = Int(LocationPartition.fnv1a32(id) % UInt32(wanted.count))
        var count = running.count
        for i in 0 ..< wanted.count where count < share {
            let item = wanted[(i + offset) % wanted.count]
            guard owned[item.key] == nil else { continue }
            let sentAt = nowMs()
            let (leases, id, ttl) = (leases, id, ttl)
            guard let revision = try? blockingWait({ try await leases.create(item.key, Array(id.utf8), ttl: ttl) }) else { continue }
            start(item.definition, partition: item.partition, key: item.key,
                  lease: PartitionLease(key: item.key, leaseMs: settings.leaseMs, revision: revision, sentAtMs: sentAt))
            leasesTaken.increment()
            count += 1
        }
    }

    func start(_ definition: JobDefinition, partition: Int?, key: String, lease: PartitionLease) {
        let box = NIOLockedValueBox(lease)
        let run: any LeasedRun
        if let partition {
            run = PartitionRun(definition: definition, partition: partition, js: js, checkpoints: checkpoints,
                               directory: "\(settings.stateDirectory)/\(definition.name)/\(partition)", lease: box,
                               checkpointIntervalMs: definition.checkpointIntervalMs, backend: definition.backend,
                               memoryBudget: definition.stateMemoryBytes, nowMs: nowMs, logger: logger, status: status)
        } else {
            run = GlobalRollupRun(definition: definition, js: js, checkpoints: checkpoints, lease: box,
                                  checkpointIntervalMs: definition.checkpointIntervalMs, nowMs: nowMs, logger: logger,
                                  status: status)
        }
        let ended = NIOLockedValueBox<Result<RunStop, any Error>?>(nil)
        owned[key] = Owned(run: run, lease: box, ended: ended)
        keeper.hold(key, owned[key]!)
        let thread = Thread {
            let result = Result { try run.run() }
            ended.withLockedValue { $0 = result }
        }
        thread.name = "tillflow-\(key)"
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// The partitions this worker runs now, by lease key.
    public var partitions: [String] { owned.keys.sorted() }
}
