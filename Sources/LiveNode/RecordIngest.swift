import Dataflow
import Connectors
import NATS

/// `POST /v1/records` (live.md section 3): a body of JSON lines, each published to its
/// location's input subject (`RecordLocation`) in the body's order, answered once
/// JetStream has stored them all. Lines are not validated here: a line that is no valid
/// record is still published, and the job dead-letters it with its reason.
///
/// A body's lines are cut as a file's are: at each `\n`, a last `\n` ending the last
/// line; an empty body is one empty line (the job calls it `malformed_json`).
public struct RecordIngest: Sendable {
    /// Bodies over this many bytes are refused whole (`413`).
    public static let maxBodyBytes = 8 << 20
    /// Publishes in flight at once: a body's lines go in rounds of this many.
    static let round = 1_024

    let js: JetStream

    public init(js: JetStream) { self.js = js }

    /// What the reply says: how many lines were stored, and where the first and last are.
    public struct Receipt: Codable, Sendable, Equatable {
        public var accepted: Int
        public var firstSequence: UInt64
        public var lastSequence: UInt64

        enum CodingKeys: String, CodingKey {
            case accepted, firstSequence = "first_seq", lastSequence = "last_seq"
        }
    }

    /// Why a body was refused, or stored only in part.
    public enum Refusal: Error, CustomStringConvertible {
        /// A line the server cannot take (over its `max_payload`): nothing was published.
        case lineTooLarge(line: Int, bytes: Int, limit: Int)
        /// Publishing failed after `stored` lines had been stored.
        case failed(stored: Int, reason: String)

        public var description: String {
            switch self {
            case let .lineTooLarge(line, bytes, limit):
                "line \(line) has \(bytes) bytes, over the NATS server's max_payload of \(limit); nothing was published"
            case let .failed(stored, reason): "publishing failed after \(stored) lines were stored (of the next round, some may be too): \(reason)"
            }
        }
    }

    /// The lines of a body, as a file's lines would be cut.
    public static func lines(of body: [UInt8]) -> [ArraySlice<UInt8>] { InputLines.of(body) }

    /// Publishes every line of `body`, or none when one cannot be published at all.
    public func publish(body: [UInt8]) async throws(Refusal) -> Receipt {
        let lines = Self.lines(of: body)
        if let limit = js.connection.serverInfo?.maxPayload, let i = lines.firstIndex(where: { $0.count > limit }) {
            throw .lineTooLarge(line: i + 1, bytes: lines[i].count, limit: limit)
        }
        var receipt = Receipt(accepted: 0, firstSequence: 0, lastSequence: 0)
        var start = 0
        while start < lines.count {
            let end = min(start + Self.round, lines.count)
            let requests = lines[start ..< end].map(NATSRequest.inputRecord)
            do {
                let acks = try await js.publish(requests)
                if receipt.accepted == 0 { receipt.firstSequence = acks[0].seq }
                receipt.lastSequence = acks[acks.count - 1].seq
                receipt.accepted += acks.count
            } catch {
                throw .failed(stored: receipt.accepted, reason: "\(error)")
            }
            start = end
        }
        return receipt
    }
}
