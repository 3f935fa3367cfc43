import ArgumentParser
import Connectors
import Foundation
import Jobs
import NATS

/// `tillflow outputs --nats URL --node NAME`: what an edge node has published, read back
/// from `TILLFLOW_OUT` by direct get (no consumer is made): each output subject's row
/// count (its last `Tillflow-Seq`) and its first rows. Not in cli.md: an operator's
/// look at a node's results, used by `make demo-live`.
struct Outputs: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outputs",
        abstract: "Show an edge node's output subjects in TILLFLOW_OUT: row counts and first rows.")

    @OptionGroup var connection: NATSConnectionArguments
    @Option(help: "The node's name.") var node: String
    @Option(help: "Rows to show of each subject.") var rows: Int = 3

    func validate() throws {
        guard RecordLocation.isSubjectToken(node.utf8) else { throw ValidationError("--node must be a subject token, not '\(node)'") }
        guard rows >= 0 else { throw ValidationError("--rows must not be negative") }
    }

    func run() throws {
        let options = try self.connection.options()
        let (node, rows) = (node, rows)
        try blockingWait {
            let connection = try await NATSConnection.connect(options)
            let js = JetStream(connection)
            for output in JobKind.edge.outputs.map({ $0.replacingOccurrences(of: ".jsonl", with: "") }) {
                let subject = "tillflow.out.\(node).\(output)"
                let last = try await js.directGetLast(stream: "TILLFLOW_OUT", subject: subject)
                print("\(subject): \(last?.headers?["Tillflow-Seq"] ?? "0") rows")
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
