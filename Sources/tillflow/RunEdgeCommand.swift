import ArgumentParser
import Connectors
import Dataflow
import Foundation
import JobCommands
import Jobs
import NATS

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

    @Option(help: "NATS server URLs, comma-separated.") var nats: String
    @Option(help: "The node's name: its store's id (a subject token).") var node: String
    @Option(help: "Publish a clock mark this often (0s: never).") var clockInterval = DurationArgument(milliseconds: 1_000)
    @Option(help: "How far behind the wall clock the clock marks stay.") var clockLag = DurationArgument(milliseconds: 5_000)
    @Option(help: "Where keyed state lives: memory|rocksdb.") var state = "rocksdb"
    @Option(help: "State and checkpoint directory (default: ./tillflow-state/<node>).") var stateDir: String?
    @Option(help: "RocksDB block cache plus write buffers.") var stateMemory = ByteSizeArgument(argument: "256MiB")!
    @Option(help: "How often state and input positions are checkpointed.")
    var checkpointInterval = DurationArgument(milliseconds: 10_000)
    @Option(help: "Keyed partitions processed in parallel (default: number of cores).") var parallelism: Int?
    @OptionGroup var retail: RetailJobOptions

    func validate() throws {
        guard node.utf8.count <= 64, !node.isEmpty,
              node.utf8.allSatisfy({ $0 == 45 || $0 == 95 || (48 ... 57).contains($0) || (65 ... 90).contains($0) || (97 ... 122).contains($0) })
        else { throw ValidationError("--node must be a subject token ([A-Za-z0-9_-]{1,64}), not '\(node)'") }
        guard state == "memory" || state == "rocksdb" else { throw ValidationError("--state must be memory or rocksdb, not '\(state)'") }
        guard checkpointInterval.milliseconds > 0 else { throw ValidationError("--checkpoint-interval must be positive") }
        if let p = parallelism, p < 1 { throw ValidationError("--parallelism must be at least 1") }
    }

    func run() throws {
        StopSignal.install()
        let options = retail.jobOptions(parallelism: parallelism ?? ProcessorCount.online)
        let directory = stateDir ?? "tillflow-state/\(node)"
        let connection = try connect(NATSConnectionOptions(servers: nats.split(separator: ",").map(String.init)))
        let js = JetStream(connection)
        try blockingWait { try await TillflowStreams.ensure(js) }
        let consumer = try blockingWait { try await JetStreamPullConsumer.start(js, stream: "TILLFLOW_IN", startSequence: 1) }

        var settings = RunSettings(outputDirectory: directory, stateDirectory: directory)
        settings.backend = StateBackendKind(rawValue: state)!
        settings.memoryBudget = stateMemory.bytes
        settings.checkpointIntervalMs = checkpointInterval.milliseconds
        let run = JobRun(job: RetailJob(.edge, options: options), inputs: [], settings: settings)
        let batchLines = options.batchLines
        run.lineStream = LineStreamInput(name: "TILLFLOW_IN") { JetStreamLineSource(consumer: consumer, batchLines: batchLines) }
        let node = self.node
        run.openOutput = { name, committed in
            try JetStreamSubjectOutput(js: js, stream: "TILLFLOW_OUT", subject: "tillflow.out.\(node).\(name.replacingOccurrences(of: ".jsonl", with: ""))",
                                       committed: committed)
        }
        var clock = ClockMarks(connection: connection, subject: "tillflow.in.\(node).clock", intervalMs: clockInterval.milliseconds,
                               lagMs: clockLag.milliseconds, outOfOrdernessMs: options.outOfOrdernessMs)
        let turn: (RunProgress) throws -> Void = { progress in
            if let signal = StopSignal.received {
                let taken = try progress.checkpoint()
                throw StoppedBySignal(signal: signal, checkpoint: taken.id)
            }
            clock.publishIfDue(watermark: (progress.statistics as? RetailStatistics)?.validationWatermark ?? .initial)
        }
        do {
            try run.run(afterBatch: turn, whenIdle: { progress in
                try turn(progress)
                usleep(1_000)
            })
        } catch let stopped as StoppedBySignal {
            print("run edge: stopped by \(stopped.signal == SIGTERM ? "SIGTERM" : "SIGINT") after checkpoint \(stopped.checkpoint)")
        }
        try blockingWait { await consumer.stop(); await connection.close() }
    }

    /// Connects, trying again with backoff while no server answers: one line when the
    /// outage starts, one when it ends; a stop signal meanwhile ends the command.
    func connect(_ options: NATSConnectionOptions) throws -> NATSConnection {
        var delayMs: UInt32 = 100
        var reported = false
        while true {
            do {
                let connection = try blockingWait { try await NATSConnection.connect(options) }
                if reported { printToStandardError("tillflow: connected to NATS") }
                return connection
            } catch {
                if !reported {
                    printToStandardError("tillflow: NATS unreachable (\(error)); retrying")
                    reported = true
                }
                if StopSignal.received != nil { throw error }
                usleep(delayMs * 1_000)
                delayMs = min(delayMs * 2, 5_000)
            }
        }
    }
}
