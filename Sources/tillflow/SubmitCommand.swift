import ArgumentParser
import CloudPool
import Connectors
import Foundation
import JobCommands
import Jobs
import NATS

/// `tillflow submit JOB --nats URL --name NAME`: hands the pool a job over the hub's
/// `TILLFLOW_IN` (live.md section 4), kept in the `TILLFLOW_JOBS` bucket under its name.
/// The same name with the same options again changes nothing; with others it is refused.
struct Submit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Hand the cloud worker pool a job over the hub's TILLFLOW_IN.")

    @Argument(help: "The job: \(JobKind.allCases.map(\.rawValue).joined(separator: ", ")).") var job: String
    @OptionGroup var connection: NATSConnectionArguments
    @Option(help: "A YAML file of these options (names without --); the command line wins.") var config: String?
    @Option(help: "The job's name (a subject token): its outputs are tillflow.job.<name>.<loc>.<output>.") var name: String
    @Option(help: "Partitions: a location belongs to fnv1a32(location) mod P.") var partitions = 16
    @Option(help: "Where each partition's keyed state lives while it runs: memory|rocksdb.") var state = "rocksdb"
    @Option(help: "RocksDB block cache plus write buffers, per partition.") var stateMemory = ByteSizeArgument(argument: "256MiB")!
    @Option(help: "How often each partition is checkpointed into JetStream.")
    var checkpointInterval = DurationArgument(milliseconds: 10_000)
    @Option(help: ArgumentHelp("Accepted as replay takes it; the workers' scratch is their own --state-dir.", visibility: .hidden))
    var stateDir: String?
    @Option(help: ArgumentHelp("Accepted as replay takes it; results do not depend on it, and the pool's parallelism is its partitions.",
                               visibility: .hidden))
    var parallelism: Int?
    @OptionGroup var retail: RetailJobOptions

    func validate() throws {
        guard JobKind(rawValue: job) != nil else {
            throw ValidationError("unknown job '\(job)'; expected one of \(JobKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard RecordLocation.isSubjectToken(name.utf8) else { throw ValidationError("--name must be a subject token ([A-Za-z0-9_-]{1,64}), not '\(name)'") }
        guard (1 ... 4_096).contains(partitions) else { throw ValidationError("--partitions must be in 1...4096") }
        guard state == "memory" || state == "rocksdb" else { throw ValidationError("--state must be memory or rocksdb, not '\(state)'") }
        guard checkpointInterval.milliseconds > 0 else { throw ValidationError("--checkpoint-interval must be positive") }
        if let p = parallelism, p < 1 { throw ValidationError("--parallelism must be at least 1") }
    }

    func run() throws {
        var definition = JobDefinition(name: name, kind: JobKind(rawValue: job)!, partitions: partitions,
                                       options: retail.jobOptions(parallelism: 1))
        definition.state = state
        definition.stateMemoryBytes = stateMemory.bytes
        definition.checkpointIntervalMs = checkpointInterval.milliseconds
        let answer = try withJetStream(connection) { [definition] js in
            try await TillflowStreams.ensure(js)
            let jobs = try await KeyValueBucket.open(js, name: "TILLFLOW_JOBS")
            do {
                try await jobs.create(name, try definition.encoded())
                return "submit: job \(name) (\(definition.job), \(definition.partitions) partitions) handed to the pool"
            } catch KeyValueError.exists {
                guard let entry = try await jobs.get(name) else { throw ValidationError("job \(name) changed meanwhile; submit again") }
                let existing = try JobDefinition.decoded(entry.value)
                guard existing.sameJob(as: definition) else {
                    throw ValidationError("a job named \(name) was submitted with other options (\(existing.job), "
                        + "\(existing.partitions) partitions); choose another name or cancel it first")
                }
                guard !existing.cancelled else { throw ValidationError("job \(name) was cancelled; submit it under another name") }
                return "submit: job \(name) is already submitted with these options; nothing changed"
            }
        }
        print(answer)
    }
}
