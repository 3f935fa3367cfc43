import ArgumentParser
import Connectors
import Dataflow
import Foundation
import JobCommands
import Jobs
import LiveNode
import Logging
import Metrics
import NATS
import Prometheus

/// `tillflow run edge --nats URL --node NAME`: the edge job live on a store's node
/// (live.md section 3), until SIGINT or SIGTERM.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run a job live on NATS JetStream.", subcommands: [RunEdge.self])
}

struct RunEdge: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edge",
        abstract: "Run the edge job live: TILLFLOW_IN in stream order to tillflow.out.<node>.<output>, exactly once.",
        discussion: """
            Creates the streams TILLFLOW_IN and TILLFLOW_OUT when missing. Every --clock-interval it publishes \
            {"clock": now - clock-lag} to tillflow.in.<node>.clock when that raises the watermark. Checkpoints \
            hold the stream sequence and every output subject's last ordinal; after a crash the same command \
            resumes. SIGINT and SIGTERM stop it after a final checkpoint (exit 0).
            """)

    @OptionGroup var connection: NATSConnectionArguments
    @OptionGroup var log: LogOptions
    @Option(help: "A YAML file of these options (names without --); the command line wins.") var config: String?
    @Option(help: "The node's name: its store's id (a subject token).") var node: String
    @Option(help: "Publish a clock mark this often (0s: never).") var clockInterval = DurationArgument(milliseconds: 1_000)
    @Option(help: "How far behind the wall clock the clock marks stay.") var clockLag = DurationArgument(milliseconds: 5_000)
    @Option(help: "Where keyed state lives: memory|rocksdb.") var state = "rocksdb"
    @Option(help: "State and checkpoint directory (default: ./tillflow-state/<node>).") var stateDir: String?
    @Option(help: "RocksDB block cache plus write buffers.") var stateMemory = ByteSizeArgument(argument: "256MiB")!
    @Option(help: "How often state and input positions are checkpointed.")
    var checkpointInterval = DurationArgument(milliseconds: 10_000)
    @Option(help: "Keyed partitions processed in parallel (default: number of cores).") var parallelism: Int?
    @Option(help: "Serve the HTTP ingest, /health, /ready and /metrics on HOST:PORT (or PORT, on loopback).") var http: String?
    @Option(help: "Serve /metrics alone on HOST:PORT (or PORT, on loopback).") var metrics: String?
    @Option(help: "A file holding the bearer token the HTTP endpoints want (or TILLFLOW_HTTP_TOKEN); /health and /ready stay open.")
    var httpTokenFile: String?
    @OptionGroup var retail: RetailJobOptions

    func validate() throws {
        guard RecordLocation.isSubjectToken(node.utf8) else { throw ValidationError("--node must be a subject token ([A-Za-z0-9_-]{1,64}), not '\(node)'") }
        guard state == "memory" || state == "rocksdb" else { throw ValidationError("--state must be memory or rocksdb, not '\(state)'") }
        guard checkpointInterval.milliseconds > 0 else { throw ValidationError("--checkpoint-interval must be positive") }
        if let p = parallelism, p < 1 { throw ValidationError("--parallelism must be at least 1") }
        for (flag, value) in [("--http", http), ("--metrics", metrics)] {
            if let value, ListenAddress(value) == nil { throw ValidationError("\(flag) must be HOST:PORT or PORT, not '\(value)'") }
        }
    }

    func run() throws {
        log.bootstrap()
        let registry = DescribedPrometheusFactory.bootstrap()
        var logger = Logger(label: "tillflow.edge")
        logger[metadataKey: "node"] = "\(node)"

        let options = retail.jobOptions(parallelism: parallelism ?? ProcessorCount.online)
        let directory = stateDir ?? "tillflow-state/\(node)"
        var settings = RunSettings(outputDirectory: directory, stateDirectory: directory)
        settings.backend = StateBackendKind(rawValue: state)!
        settings.memoryBudget = stateMemory.bytes
        settings.checkpointIntervalMs = checkpointInterval.milliseconds
        var edge = EdgeNode(nats: try connection.options(), name: node,
                            job: RetailJob(.edge, options: options), settings: settings)
        edge.clockIntervalMs = clockInterval.milliseconds
        edge.clockLagMs = clockLag.milliseconds
        edge.replicas = connection.replicas
        edge.http = http.flatMap(ListenAddress.init)
        edge.metrics = metrics.flatMap(ListenAddress.init)
        edge.httpToken = try HTTPToken.configured(file: httpTokenFile)
        let stopped = try edge.run(registry: registry, logger: logger)
        if stopped.duringOutage {
            print("run edge: stopped by \(stopped.reason) during a NATS outage, without a final checkpoint: "
                + "the next run resumes from the last one")
        } else {
            print("run edge: stopped by \(stopped.reason)" + (stopped.checkpoint.map { " after checkpoint \($0)" } ?? " before it began"))
        }
    }
}
