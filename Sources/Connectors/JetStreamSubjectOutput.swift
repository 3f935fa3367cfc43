import Dataflow
import Foundation
import NATS

/// One output of a live job: its rows as messages on a subject of `TILLFLOW_OUT`, each
/// with `Tillflow-Seq: N` (its ordinal on the subject, from 1) and `Nats-Msg-Id:
/// <subject>:<N>` (live.md section 2).
///
/// Exactly once: the committed length a checkpoint records is the number of rows made
/// so far, and `sync()` returns only when JetStream has acknowledged every one. A run
/// opened at a committed length `C` learns from the stream itself the subject's last
/// ordinal `L` (a direct get of its last message), counts the rows it makes again from
/// `C + 1`, and publishes only those after `L`: a restart after any downtime repeats
/// nothing, and loses nothing, since the rows are a function of the input. Publishes not
/// yet acknowledged are kept and sent again after a silence (a lost connection); the
/// stream's duplicate window drops a repeat of one that was stored after all.
public final class JetStreamSubjectOutput: RecordOutput {
    public let subject: String
    let js: JetStream
    let acks: NATSSubscription
    let ackPrefix: String
    /// Rows made so far: the committed length.
    public private(set) var ordinal: Int64
    /// The subject's last ordinal in the stream when opened: rows up to it are there.
    public let alreadyStored: Int64
    /// Published, not yet acknowledged: ordinal -> (headers, row).
    var unacknowledged: [Int64: (NATSHeaders, [UInt8])] = [:]
    /// Acknowledgements awaited beyond which an append waits for some.
    public static let maxUnacknowledged = 2048

    /// Opens the subject's output at `committed` rows (nil: a fresh run, 0).
    public init(js: JetStream, stream: String, subject: String, committed: Int64?) throws {
        self.subject = subject
        self.js = js
        ordinal = committed ?? 0
        let last = try blockingWait { try await js.directGetLast(stream: stream, subject: subject) }
        let stored = last.flatMap { $0.headers?["Tillflow-Seq"] }.flatMap { Int64($0) } ?? 0
        alreadyStored = stored
        guard stored >= ordinal else {
            throw JobError("\(stream) holds \(stored) rows on \(subject), fewer than the \(ordinal) a checkpoint committed: "
                + "the stream was changed under this node")
        }
        ackPrefix = js.connection.inboxPrefix + ".ack." + UUID().uuidString.prefix(8)
        acks = try js.connection.subscribe(ackPrefix + ".*")
    }

    public var outputName: String { subject }
    public var committedLength: Int64 { ordinal }

    public func appendRows(_ rows: [UInt8]) throws {
        var start = rows.startIndex
        while let end = rows[start...].firstIndex(of: 10) {
            ordinal += 1
            if ordinal > alreadyStored {
                var headers = NATSHeaders()
                headers.append("Tillflow-Seq", String(ordinal))
                headers.append("Nats-Msg-Id", "\(subject):\(ordinal)")
                let row = Array(rows[start ..< end])
                try js.connection.publish(subject, replyTo: "\(ackPrefix).\(ordinal)", headers: headers, payload: row)
                unacknowledged[ordinal] = (headers, row)
                if unacknowledged.count >= Self.maxUnacknowledged { try awaitAcknowledgements(downTo: Self.maxUnacknowledged / 2) }
            }
            start = end + 1
        }
        precondition(start == rows.endIndex, "a row without its newline")
    }

    public func sync() throws { try awaitAcknowledgements(downTo: 0) }

    /// Takes acknowledgements until at most `limit` are awaited; after five seconds
    /// without one, sends the unacknowledged rows again (the same ids: never stored twice).
    func awaitAcknowledgements(downTo limit: Int) throws {
        var quietSince = Date()
        while unacknowledged.count > limit {
            let arrived = acks.drain()
            if arrived.isEmpty {
                if Date().timeIntervalSince(quietSince) > 5 {
                    for (n, (headers, row)) in unacknowledged.sorted(by: { $0.key < $1.key }) {
                        try? js.connection.publish(subject, replyTo: "\(ackPrefix).\(n)", headers: headers, payload: row)
                    }
                    quietSince = Date()
                }
                usleep(100)
                continue
            }
            quietSince = Date()
            for ack in arrived {
                guard let n = ack.subject.split(separator: ".").last.flatMap({ Int64($0) }) else { continue }
                if let status = ack.status, status == 503 { continue }  // no stream yet (a restarting server): sent again
                do {
                    _ = try JetStream.acknowledgement(ack.payload, of: subject)
                } catch {
                    throw JobError("publishing row \(n) to \(subject): \(error)")
                }
                unacknowledged[n] = nil
            }
        }
    }

    public func close() throws {
        try sync()
        try? js.connection.unsubscribe(acks)
    }
}
