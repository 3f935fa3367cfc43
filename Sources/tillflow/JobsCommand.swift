import ArgumentParser
import CloudPool
import Connectors
import Foundation
import LiveNode
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
        @Flag(help: "Print the report as JSON (the data a worker's status page shows), for scripts.") var json = false
        @OptionGroup var connection: NATSConnectionArguments

        func run() throws {
            let report = try withJetStream(connection) { [name] js in
                guard let report = try await JobStatusReport.read(js, name: name) else { throw ValidationError("no job named \(name)") }
                return report
            }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
                print(String(decoding: try encoder.encode(report), as: UTF8.self))
            } else {
                report.lines.forEach { print($0) }
            }
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
