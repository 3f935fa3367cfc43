import ArgumentParser
import Connectors
import Foundation
import Jobs
import NATS

/// `tillflow outputs --nats URL --node NAME` (or `--job NAME`): what an edge node or a
/// cloud job has published, read back from `TILLFLOW_OUT` by direct get (no consumer is
/// made): each output subject's row count (its last `Tillflow-Seq`) and its first rows,
/// or with `--latest` its last row. Not in cli.md: an operator's look at results, used
/// by `make demo-live` and `make demo-cloud`.
struct Outputs: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outputs",
        abstract: "Show an edge node's or a cloud job's output subjects in TILLFLOW_OUT: row counts and rows.")

    @OptionGroup var connection: NATSConnectionArguments
    @Option(help: "The node's name.") var node: String?
    @Option(help: "A submitted job's name: every subject of tillflow.job.<name>.>.") var job: String?
    @Option(help: "Subjects of the job whose location or name contains this (e.g. _global).") var only: String?
    @Option(help: "Rows to show of each subject.") var rows: Int = 3
    @Flag(help: "Show each subject's last row instead of its first ones.") var latest = false

    func validate() throws {
        guard (node == nil) != (job == nil) else { throw ValidationError("give --node or --job") }
        for name in [node, job].compactMap({ $0 }) where !RecordLocation.isSubjectToken(name.utf8) {
            throw ValidationError("a node's or job's name is a subject token, not '\(name)'")
        }
        guard rows >= 0 else { throw ValidationError("--rows must not be negative") }
    }

    func run() throws {
        let options = try self.connection.options()
        let (node, job, only, rows, latest) = (node, job, only, rows, latest)
        try blockingWait {
            let connection = try await NATSConnection.connect(options)
            let js = JetStream(connection)
            var subjects: [String]
            if let node {
                subjects = JobKind.edge.outputs.map { "tillflow.out.\(node).\($0.replacingOccurrences(of: ".jsonl", with: ""))" }
            } else {
                let info = try await js.streamInfo("TILLFLOW_OUT", subjects: "tillflow.job.\(job!).>")
                subjects = (info.state.subjects ?? [:]).keys.sorted()
                if let only { subjects = subjects.filter { $0.contains(only) } }
                if subjects.isEmpty { print("no rows of job \(job!) yet") }
            }
            for subject in subjects {
                let last = try await js.directGetLast(stream: "TILLFLOW_OUT", subject: subject)
                print("\(subject): \(last?.headers?["Tillflow-Seq"] ?? "0") rows")
                if latest {
                    if let last { print("  " + String(decoding: last.payload, as: UTF8.self)) }
                    continue
                }
                var next: UInt64 = 1
                for _ in 0 ..< (last == nil ? 0 : rows) {
                    guard let row = try await js.directGetNext(stream: "TILLFLOW_OUT", subject: subject, from: next),
                          let sequence = row.headers?["Nats-Sequence"].flatMap({ UInt64($0) }) else { break }
                    print("  " + String(decoding: row.payload, as: UTF8.self))
                    next = sequence + 1
                }
            }
            await connection.close()
        }
    }
}
