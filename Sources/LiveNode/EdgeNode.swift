import Connectors
import Dataflow
import Foundation
import Jobs
import Logging
import NIOConcurrencyHelpers
import NATS
import Prometheus
import ServiceLifecycle
import UnixSignals

/// A store's edge node (live.md section 3): the `edge` job over `TILLFLOW_IN` in stream
/// order, its rows published exactly once to `tillflow.out.<node>.<output>`, clock marks
/// into its own input, and the HTTP endpoints, as the services of one group: the job on
/// a thread of its own, the HTTP servers on Hummingbird. It runs until SIGTERM or
/// SIGINT, which stop the job after a final checkpoint and then the rest (during an
/// outage with rows unacknowledged, at once and without it).
///
/// While NATS is away the node waits: at start before anything else, later inside the
/// connection (which reconnects with backoff and sends again what it kept); the log says
/// so once when an outage starts and once when it ends. What cannot go on without losing
/// or repeating data (the stream changed under the node, a checkpoint of another job)
/// ends the run with an error.
public struct EdgeNode {
    public var nats: NATSConnectionOptions
    /// The node's name: its store's id, a subject token.
    public var name: String
    public var job: RetailJob
    public var settings: RunSettings
    public var clockIntervalMs: Int64 = 1_000
    public var clockLagMs: Int64 = 5_000
    /// All endpoints (`--http`), and `/metrics` alone (`--metrics`).
    public var http: ListenAddress?
    public var metrics: ListenAddress?
    /// The bearer token the endpoints want, if any (`NodeHTTP`).
    public var httpToken: HTTPToken?
    /// Replicas of the streams the node creates when missing (`JetStream.replicas`).
    public var replicas = 1

    public init(nats: NATSConnectionOptions, name: String, job: RetailJob, settings: RunSettings) {
        self.nats = nats
        self.name = name
        self.job = job
        self.settings = settings
    }

    /// How a run ended when it was asked to stop.
    public struct Stopped: Sendable {
        /// The signal's name (`SIGTERM`), or `shutdown`.
        public var reason: String
        /// The final checkpoint's id; nil when stopped before the job began (waiting for
        /// NATS), or during an outage.
        public var checkpoint: UInt64?
        /// Stopped while NATS was unreachable with rows unacknowledged: no final
        /// checkpoint (it would need the acknowledgements), the next run resumes from
        /// the last one and loses or repeats nothing.
        public var duringOutage = false
    }

    /// Runs the node until it is asked to stop; returns how it stopped.
    public func run(registry: PrometheusCollectorRegistry, logger: Logger) throws -> Stopped {
        let stop = StopRequest()
        let watcher = Task {
            for await signal in await UnixSignalsSequence(trapping: .sigterm, .sigint) {
                stop.request(signal.description)
                break
            }
        }
        defer { watcher.cancel() }
        let readiness = NodeReadiness(batchLines: job.options.batchLines)
        let board = StatusBoard(role: "edge node", name: name)
        var options = nats
        // The outputs keep their rows in order across reconnections themselves.
        options.reconnectBufferBytes = 0
        options.onConnectionChange = { change in
            switch change {
            case .lost:
                readiness.connected(false)
                board.connected(false)
                NodeMetrics.connected.record(0)
                logger.warning("NATS connection lost; reconnecting")
            case let .restored(server):
                readiness.connected(true)
                board.connected(true)
                NodeMetrics.connected.record(1)
                logger.info("NATS connection restored", metadata: ["server": "\(server)"])
            }
        }
        guard let connection = try Self.connect(options, logger: logger, stop: stop) else {
            return Stopped(reason: stop.requested ?? "shutdown", checkpoint: nil)
        }
        readiness.connected(true)
        board.connected(true)
        NodeMetrics.connected.record(1)
        let js = JetStream(connection, replicas: replicas)
        try blockingWait { try await TillflowStreams.ensure(js) }
        let consumer = try blockingWait { try await JetStreamPullConsumer.start(js, stream: "TILLFLOW_IN", startSequence: 1, batch: 2_048) }
        defer { try? blockingWait { await consumer.stop(); await connection.close() } }

        let stopped = NIOLockedValueBox<Stopped?>(nil)
        let jobService = JobThreadService(name: "tillflow-edge-job", stop: stop) { [self] stop in
            let how = try runJob(js: js, consumer: consumer, readiness: readiness, board: board, stop: stop)
            stopped.withLockedValue { $0 = how }
        }
        var services = [ServiceGroupConfiguration.ServiceConfiguration(
            service: jobService, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .cancelGroup)]
        var httpLogger = logger
        httpLogger.logLevel = .info
        if let http {
            services.append(.init(service: NodeHTTP.application(at: http, ingest: RecordIngest(js: js), readiness: readiness,
                                                                registry: registry, token: httpToken, status: board, logger: httpLogger)))
        }
        if let metrics {
            services.append(.init(service: NodeHTTP.application(at: metrics, ingest: nil, readiness: nil, registry: registry, token: httpToken,
                                                                logger: httpLogger)))
        }
        var groupLogger = logger
        groupLogger.logLevel = .warning
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: services, logger: groupLogger))
        try blockingWait { try await group.run() }
        return stopped.withLockedValue { $0 } ?? Stopped(reason: stop.requested ?? "shutdown", checkpoint: nil)
    }

    /// The job itself, on its thread: returns how it stopped when asked to.
    func runJob(js: JetStream, consumer: JetStreamPullConsumer, readiness: NodeReadiness, board: StatusBoard,
                stop: StopRequest) throws -> Stopped? {
        let run = JobRun(job: job, inputs: [], settings: settings)
        let batchLines = job.options.batchLines
        run.lineStream = LineStreamInput(name: "TILLFLOW_IN") { JetStreamLineSource(consumer: consumer, batchLines: batchLines) }
        let metrics = NodeMetrics()
        let node = name
        run.openOutput = { file, committed in
            let output = file.replacingOccurrences(of: ".jsonl", with: "")
            let opened = try JetStreamSubjectOutput(js: js, stream: "TILLFLOW_OUT", subject: "tillflow.out.\(node).\(output)",
                                                    committed: committed)
            opened.abandonsWhileDisconnected = { stop.requested != nil }
            metrics.watch(opened, as: output)
            return opened
        }
        var clock = ClockMarks(connection: js.connection, subject: "tillflow.in.\(node).clock", intervalMs: clockIntervalMs,
                               lagMs: clockLagMs, outOfOrdernessMs: job.options.outOfOrdernessMs)
        struct StopNow: Error { let stopped: Stopped }
        var postedMs = Int64.min / 2
        let turn: (RunProgress) throws -> Void = { progress in
            if let why = stop.requested {
                throw StopNow(stopped: Stopped(reason: why, checkpoint: try progress.checkpoint().id))
            }
            let watermark = (progress.statistics as? RetailStatistics)?.validationWatermark ?? .initial
            clock.publishIfDue(watermark: watermark)
            let behind = consumer.messagesBehind
            readiness.progressed(messagesBehind: behind)
            let now = SystemClock.wallMs()
            metrics.observe(progress, messagesBehind: behind, nowMs: now)
            if now - postedMs >= 1_000, let statistics = progress.statistics as? RetailStatistics {
                postedMs = now
                board.post(PartStatus(job: "edge", part: "edge", kind: statistics.kind, locations: [(node, statistics)],
                                      outputs: metrics.outputCounts, inputLagMessages: Int64(behind),
                                      lastCheckpoint: metrics.lastCheckpointFigure), atMs: now)
            }
        }
        // Idle, the job sleeps until a message arrives (or 20 ms pass: clock marks,
        // checkpoints and stop requests are due on time), not polling in a loop.
        let arrival = DispatchSemaphore(value: 0)
        consumer.onArrival { arrival.signal() }
        do {
            try run.run(afterBatch: turn, whenIdle: { progress in
                try turn(progress)
                _ = arrival.wait(timeout: .now() + .milliseconds(20))
            })
        } catch let now as StopNow {
            return now.stopped
        } catch where stop.requested != nil && !js.connection.isConnected {
            // Asked to stop while rows wait for a server that is away (an outage may last
            // hours; a supervisor's stop must not): the last checkpoint stands.
            return Stopped(reason: stop.requested!, checkpoint: nil, duringOutage: true)
        }
        return nil
    }

    /// Connects, trying again with backoff while no server answers: one log line when
    /// the outage starts, one when it ends; a stop request meanwhile ends the wait (nil).
    static func connect(_ options: NATSConnectionOptions, logger: Logger, stop: StopRequest) throws -> NATSConnection? {
        var delayMs: UInt32 = 100
        var reported = false
        while true {
            do {
                let connection = try blockingWait { try await NATSConnection.connect(options) }
                if reported { logger.info("NATS connection restored") }
                return connection
            } catch {
                if !reported {
                    logger.warning("NATS unreachable; retrying", metadata: ["error": "\(error)"])
                    reported = true
                }
                for _ in 0 ..< delayMs / 50 where stop.requested == nil { usleep(50_000) }
                if stop.requested != nil { return nil }
                delayMs = min(delayMs * 2, 5_000)
            }
        }
    }
}
