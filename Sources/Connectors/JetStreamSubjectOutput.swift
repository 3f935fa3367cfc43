import Dataflow
import CoreMetrics
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
/// nothing, and loses nothing, since the rows are a function of the input.
///
/// In order: publishes not yet acknowledged are kept; after a reconnection they go again,
/// in order, before any new row, and no row is ever sent on a newer connection than the
/// rows before it (`publish(generation:)`), so a row lost on the way is never overtaken
/// by a later one. The stream's duplicate window drops a repeat of one stored after all.
/// The connection must keep no reconnect buffer (`reconnectBufferBytes = 0`), which would
/// send later rows after the lost ones.
public final class JetStreamSubjectOutput: RecordOutput {
    public let subject: String
    let stream: String
    let js: JetStream
    /// The connection's generation the unacknowledged rows were last sent on.
    var generation: Int
    let acks: NATSSubscription
    let ackPrefix: String
    /// Rows made so far: the committed length.
    public private(set) var ordinal: Int64
    /// The subject's last ordinal in the stream when opened: rows up to it are there.
    public let alreadyStored: Int64
    /// Published, not yet acknowledged: ordinal -> (row, when first sent).
    var unacknowledged: [Int64: (row: [UInt8], sent: ContinuousClock.Instant)] = [:]
    /// Each row's time from its first publish to its acknowledgement being taken (swift-metrics:
    /// whatever metrics system the process bootstrapped, none by default).
    let publishLatency = CoreMetrics.Timer(label: "tillflow_publish_latency_seconds")
    /// Acknowledgements awaited beyond which an append waits for some.
    public static let maxUnacknowledged = 16_384
    /// Asked while rows wait for a server that is not there: true ends the wait with
    /// `PublishingAbandoned` (a node asked to stop during an outage). Set before the
    /// first append.
    public var abandonsWhileDisconnected: @Sendable () -> Bool = { false }
    /// Asked before rows are sent: false stops the output with `PublishingAbandoned`
    /// (a cloud partition's worker whose lease may have lapsed: another may own it).
    public var mayPublish: @Sendable () -> Bool = { true }

    /// Opens the subject's output at `committed` rows (nil: a fresh run, 0).
    public init(js: JetStream, stream: String, subject: String, committed: Int64?) throws {
        self.subject = subject
        self.stream = stream
        self.js = js
        generation = js.connection.generation
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
        // The acknowledgements come meanwhile: taken at each batch, so that the publish
        // latency is measured to within one batch, not to the next checkpoint.
        if !unacknowledged.isEmpty {
            for ack in acks.drain() { try take(ack) }
        }
        guard mayPublish() else {
            throw PublishingAbandoned(subject: subject, unacknowledged: unacknowledged.count, reason: "it may no longer publish")
        }
        var start = rows.startIndex
        while let end = rows[start...].firstIndex(of: 10) {
            ordinal += 1
            if ordinal > alreadyStored {
                if js.connection.generation != generation { try sendAgainInOrder() }
                unacknowledged[ordinal] = (Array(rows[start ..< end]), .now)
                try send(ordinal)
                if unacknowledged.count >= Self.maxUnacknowledged { try awaitAcknowledgements(downTo: Self.maxUnacknowledged / 2) }
            }
            start = end + 1
        }
        precondition(start == rows.endIndex, "a row without its newline")
    }

    public func sync() throws { try awaitAcknowledgements(downTo: 0) }

    /// Publishes row `n` on the connection of `generation`; a row that cannot go now (the
    /// connection is lost, or another than the one the rows before went on) stays
    /// unacknowledged, and goes again, in order, once connected.
    func send(_ n: Int64) throws {
        guard let (row, _) = unacknowledged[n] else { return }
        var headers = NATSHeaders()
        headers.append("Tillflow-Seq", String(n))
        headers.append("Nats-Msg-Id", "\(subject):\(n)")
        do {
            try js.connection.publish(subject, replyTo: "\(ackPrefix).\(n)", headers: headers, payload: row, generation: generation)
        } catch NATSError.cannotConnect(_) {}
    }

    /// Takes acknowledgements until at most `limit` are awaited. After a reconnection,
    /// or five seconds without an acknowledgement, the unacknowledged rows go again.
    func awaitAcknowledgements(downTo limit: Int) throws {
        var quietSince = ContinuousClock.now
        while unacknowledged.count > limit {
            try abandonIfAsked()
            if js.connection.generation != generation { try sendAgainInOrder() }
            let arrived = acks.drain()
            if arrived.isEmpty {
                if ContinuousClock.now - quietSince > .seconds(5) {
                    try sendAgainInOrder()
                    quietSince = .now
                }
                usleep(100)
                continue
            }
            quietSince = .now
            for ack in arrived { try take(ack) }
        }
    }

    /// Reads one acknowledgement: the row is stored (its latency recorded), or JetStream
    /// has no stream for it yet (a restarting server: it goes again), or the stream
    /// refused it, which ends the run.
    @discardableResult
    func take(_ ack: NATSMessage) throws -> Int64? {
        guard let n = Self.ordinal(ofAckSubject: ack.subject) else { return nil }
        if let status = ack.status, status == 503 { return nil }
        do {
            try JetStream.expectStored(ack.payload, of: subject)
        } catch {
            throw JobError("publishing row \(n) to \(subject): \(error)")
        }
        if let sent = unacknowledged.removeValue(forKey: n)?.sent {
            let elapsed = (ContinuousClock.now - sent).components
            publishLatency.recordNanoseconds(elapsed.seconds * 1_000_000_000 + elapsed.attoseconds / 1_000_000_000)
        }
        return n
    }

    /// The row an acknowledgement answers: the last token of its subject (`<prefix>.<n>`).
    static func ordinal(ofAckSubject subject: String) -> Int64? {
        var subject = subject
        return subject.withUTF8 { bytes -> Int64? in
            guard let dot = bytes.lastIndex(of: UInt8(ascii: ".")), dot + 1 < bytes.count else { return nil }
            var n: Int64 = 0
            for digit in bytes[(dot + 1)...] {
                guard (0x30 ... 0x39).contains(digit) else { return nil }
                let (tens, o1) = n.multipliedReportingOverflow(by: 10)
                let (sum, o2) = tens.addingReportingOverflow(Int64(digit - 0x30))
                guard !o1, !o2 else { return nil }
                n = sum
            }
            return n
        }
    }

    /// Sends every unacknowledged row again, in order, on the connection there is now:
    /// the first alone until JetStream stores it (after a server's restart its stream
    /// may not be back yet, and a later row must never be stored before it), then the
    /// rest. Those stored before are dropped by the stream's duplicate window. A stream
    /// that is gone ends the run: its rows cannot be put back in order.
    func sendAgainInOrder() throws {
        while true {
            generation = js.connection.generation
            guard let first = unacknowledged.keys.min() else { return }
            guard js.connection.isConnected else {
                try abandonIfAsked()
                usleep(10_000)
                continue
            }
            guard mayPublish() else {
                throw PublishingAbandoned(subject: subject, unacknowledged: unacknowledged.count, reason: "it may no longer publish")
            }
            try send(first)
            let began = ContinuousClock.now
            var sentAt = began
            while unacknowledged[first] != nil && js.connection.generation == generation {
                let arrived = acks.drain()
                if arrived.isEmpty {
                    usleep(200)
                } else {
                    for ack in arrived { try take(ack) }
                }
                if unacknowledged[first] != nil && ContinuousClock.now - sentAt > .milliseconds(500) {
                    if ContinuousClock.now - began > .seconds(10) { try expectStream() }
                    try send(first)
                    sentAt = .now
                }
            }
            guard js.connection.generation == generation else { continue }
            for n in unacknowledged.keys.sorted() { try send(n) }
            return
        }
    }

    /// Throws `PublishingAbandoned` when no server is connected and the owner asks to
    /// stop waiting for one.
    func abandonIfAsked() throws {
        if !js.connection.isConnected && abandonsWhileDisconnected() {
            throw PublishingAbandoned(subject: subject, unacknowledged: unacknowledged.count,
                                      reason: "NATS is unreachable and a stop was asked for")
        }
    }

    /// Throws when the output's stream is gone (deleted under the node).
    func expectStream() throws {
        do {
            _ = try blockingWait { try await self.js.streamInfo(self.stream) }
        } catch let error as JetStreamAPIError where error.errCode == JetStreamAPIError.streamNotFound {
            throw JobError("the stream \(stream) is gone (deleted under this node?): its rows on \(subject) cannot be kept in order")
        } catch {}
    }

    public func close() throws {
        try sync()
        try? js.connection.unsubscribe(acks)
    }
}
