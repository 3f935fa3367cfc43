import ArgumentParser
import CloudPool
import Connectors
import Foundation
import NATS

/// `tillflow jobs list|status NAME|cancel NAME --nats URL`: the jobs submitted to the pool.
struct JobsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs", abstract: "Show and stop the jobs submitted to the cloud worker pool.",
        subcommands: [List.self, Status.self, Cancel.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every submitted job: its job, partitions and state.")
        @OptionGroup var connection: NATSConnectionArguments

        func run() throws {
            let lines = try withJetStream(connection) { js in
                let jobs = try await KeyValueBucket.open(js, name: "TILLFLOW_JOBS")
                let leases = try await KeyValueBucket.open(js, name: "TILLFLOW_LEASES", allowsTTL: true)
                let held = try await leases.keys()
                var lines: [String] = []
                for key in try await jobs.keys() {
                    guard let entry = try await jobs.get(key) else { continue }
                    let job = try JobDefinition.decoded(entry.value)
                    let owned = held.filter { $0.hasPrefix(job.name + ".") }.count
                    lines.append("\(job.name)  \(job.job)  \(job.partitions) partitions  "
                        + (job.cancelled ? "cancelled" : "running, \(owned) of \(job.partitions) partitions owned"))
                }
                return lines.isEmpty ? ["no jobs submitted"] : lines
            }
            lines.forEach { print($0) }
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Per partition: owner, stream sequence reached and lag, location watermarks, last checkpoint.")
        @Argument(help: "The job's name.") var name: String
        @OptionGroup var connection: NATSConnectionArguments

        func run() throws {
            let lines = try withJetStream(connection) { [name] js in
                let jobs = try await KeyValueBucket.open(js, name: "TILLFLOW_JOBS")
                guard let entry = try await jobs.get(name) else { throw ValidationError("no job named \(name)") }
                let job = try JobDefinition.decoded(entry.value)
                let leases = try await KeyValueBucket.open(js, name: "TILLFLOW_LEASES", allowsTTL: true)
                let checkpoints = try await PartitionCheckpoints.open(js)
                let head = Int64(try await js.streamInfo("TILLFLOW_IN").state.lastSeq) + 1
                var lines = ["job \(job.name): \(job.job), \(job.partitions) partitions, \(job.cancelled ? "cancelled" : "running"); "
                    + "TILLFLOW_IN next sequence \(head)"]
                for partition in 0 ..< job.partitions {
                    let owner = try await leases.get("\(job.name).\(partition)").map { String(decoding: $0.value, as: UTF8.self) } ?? "none"
                    var line = "partition \(partition): owner \(owner)"
                    if let record = try await checkpoints.record(job: job.name, part: String(partition)) {
                        line += ", reached sequence \(record.sequence) (lag \(max(0, head - record.sequence)) messages)"
                        line += ", \(record.locations) locations"
                        if let low = record.lowWatermark, let high = record.highWatermark {
                            line += ", watermarks \(Self.time(low)) .. \(Self.time(high))"
                        }
                        line += ", last checkpoint \(Self.time(record.takenAtMs)) (\(record.bytes) bytes"
                            + (record.uploadMs.map { ", put in \($0) ms" } ?? "") + ")"
                    } else {
                        line += ", no checkpoint yet"
                    }
                    lines.append(line)
                }
                return lines
            }
            lines.forEach { print($0) }
        }

        static func time(_ ms: Int64) -> String {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            return formatter.string(from: Date(timeIntervalSince1970: Double(ms) / 1_000))
        }
    }

    struct Cancel: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop a job: its partitions stop after a last checkpoint.")
        @Argument(help: "The job's name.") var name: String
        @OptionGroup var connection: NATSConnectionArguments

        func run() throws {
            let answer = try withJetStream(connection) { [name] js in
                let jobs = try await KeyValueBucket.open(js, name: "TILLFLOW_JOBS")
                while true {
                    guard let entry = try await jobs.get(name) else { throw ValidationError("no job named \(name)") }
                    var job = try JobDefinition.decoded(entry.value)
                    if job.cancelled { return "jobs cancel: \(name) was already cancelled" }
                    job.cancelled = true
                    do {
                        try await jobs.update(name, try job.encoded(), revision: entry.revision)
                        return "jobs cancel: \(name) cancelled; its partitions stop after a last checkpoint"
                    } catch KeyValueError.wrongRevision {
                        continue
                    }
                }
            }
            print(answer)
        }
    }
}
