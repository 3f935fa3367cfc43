import ArgumentParser
import Connectors
import Dataflow
import Foundation
import NATS

/// `tillflow publish --nats URL --input FILE...`: a file's lines into `TILLFLOW_IN`, each
/// on its location's subject (as the HTTP ingest publishes a body), in file order, as
/// fast as JetStream acknowledges them. Not in cli.md: how a node is fed historical
/// files, and how `make bench-live` fills its input stream.
struct Publish: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "Publish the lines of JSON-lines files (.zst too) to TILLFLOW_IN, each on its location's subject.",
        discussion: """
            Lines are cut as `replay` cuts them; each is published as it is, valid or not, and the job \
            dead-letters what is invalid. A line over the server's max_payload cannot be a message: publishing \
            stops there with an error that says how many lines were stored before it.
            """)

    @OptionGroup var connection: NATSConnectionArguments
    @Option(parsing: .upToNextOption, help: "Input files, published in the order given.") var input: [String]

    func validate() throws {
        guard !input.isEmpty else { throw ValidationError("--input needs at least one file") }
        for path in input where InputFile(path: path).format == .csv {
            throw ValidationError("\(path): only JSON lines can be published (a CSV line names no subject)")
        }
    }

    func run() throws {
        let options = try self.connection.options()
        let connection = try blockingWait { try await NATSConnection.connect(options) }
        let js = self.connection.jetStream(connection)
        _ = try blockingWait { try await js.ensureStream(TillflowStreams.input) }
        let limit = connection.serverInfo?.maxPayload ?? Int.max
        let began = ContinuousClock.now
        var reader = try LineReader(files: input.map(InputFile.init(path:)), targetLines: 1_024)
        var published = 0
        var last: UInt64 = 0
        while let batch = try reader.next() {
            var requests: [NATSRequest] = []
            requests.reserveCapacity(batch.lines.count)
            for (i, span) in batch.lines.enumerated() {
                guard span.fullLength <= limit else {
                    throw JobError("\(input[Int(batch.fileIndex)]):\(span.lineNumber) has \(span.fullLength) bytes, over the "
                        + "server's max_payload of \(limit): stopped after \(published) lines were stored")
                }
                requests.append(.inputRecord(batch.bytes(of: i)))
            }
            let round = requests
            let acks = try blockingWait { try await js.publish(round) }
            published += acks.count
            last = acks.last?.seq ?? last
        }
        try blockingWait { await connection.close() }
        let elapsed = (ContinuousClock.now - began).components
        let seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
        print("publish: \(published) lines stored in TILLFLOW_IN in \(String(format: "%.1f", seconds)) s, the last at sequence \(last)")
    }
}
