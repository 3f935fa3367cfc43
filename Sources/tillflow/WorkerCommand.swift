import ArgumentParser
import CloudPool
import Connectors
import Dataflow
import Foundation
import JobCommands
import LiveNode
import Logging
import NATS

/// `tillflow worker --nats URL`: a member of the cloud pool until SIGINT or SIGTERM,
/// which hand its partitions back after a last checkpoint (live.md section 4).
struct WorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Join the cloud worker pool and run partitions of submitted jobs until stopped.",
        discussion: """
            Partitions are taken through leases in the TILLFLOW_LEASES bucket and shared evenly among the \
            workers alive; their checkpoints live in JetStream (TILLFLOW_STATE, TILLFLOW_CHECKPOINTS), so any \
            worker goes on where another stopped. --state-dir is local scratch only; how often partitions are \
            checkpointed and where their state lives are the submitted job's options.
            """)

    @OptionGroup var connection: NATSConnectionArguments
    @OptionGroup var log: LogOptions
    @Option(help: "A YAML file of these options (names without --); the command line wins.") var config: String?
    @Option(help: "Local scratch for the partitions' state.") var stateDir = "tillflow-worker"
    @Option(help: "How long a partition stays with a worker that stops renewing its lease (whole seconds).")
    var lease = DurationArgument(milliseconds: 10_000)
    @Option(help: "Serve /metrics, /health and /ready on HOST:PORT (or PORT, on loopback).") var metrics: String?
    @Option(help: "A file holding the bearer token /metrics wants (or TILLFLOW_HTTP_TOKEN).") var httpTokenFile: String?

    func validate() throws {
        guard lease.milliseconds >= 1_000, lease.milliseconds % 1_000 == 0 else {
            throw ValidationError("--lease must be whole seconds, at least 1s (JetStream's time to live)")
        }
        if let metrics, ListenAddress(metrics) == nil { throw ValidationError("--metrics must be HOST:PORT or PORT, not '\(metrics)'") }
    }

    func run() throws {
        log.bootstrap()
        let registry = DescribedPrometheusFactory.bootstrap()
        let logger = Logger(label: "tillflow.worker")
        StopSignal.install()
        var options = try connection.options()
        // The partitions' outputs keep their rows in order across reconnections themselves:
        // a row left unwritten by a lost connection must not go out ahead of the rows
        // they send again (Worker.join refuses a connection that would keep it).
        options.reconnectBufferBytes = 0
        let readiness = WorkerReadiness()
        let board = StatusBoard(role: "worker", name: "joining the pool")
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
        let nc = try blockingWait { [options] in try await NATSConnection.connect(options) }
        NodeMetrics.connected.record(1)
        readiness.connected(true)
        board.connected(true)
        defer { try? blockingWait { await nc.close() } }
        let token = try HTTPToken.configured(file: httpTokenFile)
        let endpoint = metrics.flatMap(ListenAddress.init).map {
            MetricsEndpoint(at: $0, registry: registry, readiness: readiness, token: token, status: board, logger: logger)
        }
        defer { if let endpoint { try? blockingWait { await endpoint.stop() } } }
        var settings = Worker.Settings()
        settings.leaseMs = lease.milliseconds
        settings.stateDirectory = stateDir
        let worker = try Worker.join(connection.jetStream(nc), settings: settings, logger: logger)
        board.named(worker.id)
        if endpoint != nil { worker.status = board }
        readiness.member(true)
        let lapsing = try worker.run { StopSignal.received != nil }
        readiness.member(false)
        let signal = StopSignal.received == SIGINT ? "SIGINT" : "SIGTERM"
        if lapsing.isEmpty {
            print("worker: stopped by \(signal); its partitions handed back")
        } else {
            print("worker: stopped by \(signal); \(lapsing.joined(separator: ", ")) not handed back: their leases lapse")
        }
    }
}
