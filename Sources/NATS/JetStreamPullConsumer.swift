import Foundation
import NIOConcurrencyHelpers

/// A message read from a stream, with its place in it.
public struct JetStreamMessage: Sendable {
    public var subject: String
    public var headers: NATSHeaders?
    public var payload: [UInt8]
    /// The message's sequence number in the stream.
    public var streamSequence: UInt64
    /// When the stream stored it: nanoseconds since 1970 by the server's clock.
    public var storedAtNanoseconds: UInt64
}

/// Reads a stream in sequence order from a start sequence, without ever waiting: an
/// ephemeral pull consumer (no acks) whose messages queue up on an inbox, taken by
/// `poll(max:)`. Pull requests are kept in flight ahead of the reader (a new one for
/// `batch` messages whenever less than half a batch is owed), so a reader that keeps
/// polling is never starved by a round trip.
///
/// What can break a consumer is repaired from the last sequence read: a status 409
/// (consumer deleted, leadership change) or 503 (a pull to a consumer that is gone), an
/// ephemeral consumer dropped by a server restart, a gap in the consumer's own delivery
/// count, or silence longer than two heartbeats while messages are owed. The consumer is made again at the next sequence and pulling goes on;
/// the reader sees every message once, in order.
public final class JetStreamPullConsumer: Sendable {
    public let stream: String
    let js: JetStream
    let inbox: NATSSubscription
    let deliverSubject: String
    let batch: Int
    let filterSubjects: [String]?
    let state: NIOLockedValueBox<PullState>

    struct PullState {
        var consumer: String?
        /// Messages asked for and not yet delivered or given up by the server.
        var owed = 0
        /// The stream sequence the reader takes next.
        var nextSequence: UInt64
        /// The consumer's delivery count of the last message (a jump is a lost consumer).
        var delivered: UInt64 = 0
        /// What the server said, with the last message taken, of the messages after it.
        var pending: UInt64 = 0
        var lastActivity = ContinuousClock.now
        var rebuilding = false
        var failure: (any Error)?
    }

    static let expires = Duration.seconds(30)
    static let heartbeat = Duration.seconds(1)

    init(js: JetStream, stream: String, startSequence: UInt64, filterSubjects: [String]?, batch: Int) throws {
        self.js = js
        self.stream = stream
        self.batch = batch
        self.filterSubjects = filterSubjects
        deliverSubject = js.connection.inboxPrefix + ".pull." + UUID().uuidString.prefix(8)
        inbox = try js.connection.subscribe(deliverSubject)
        state = NIOLockedValueBox(PullState(nextSequence: max(1, startSequence)))
    }

    /// A consumer of `stream` from `startSequence` (1 for the beginning), optionally of
    /// some subjects only.
    public static func start(_ js: JetStream, stream: String, startSequence: UInt64, filterSubjects: [String]? = nil,
                             batch: Int = 512) async throws -> JetStreamPullConsumer {
        let reader = try JetStreamPullConsumer(js: js, stream: stream, startSequence: startSequence,
                                               filterSubjects: filterSubjects, batch: batch)
        try await reader.makeConsumer()
        return reader
    }

    /// The sequence the next message polled will have (or a later one, when the
    /// stream's earlier messages were removed).
    public var nextSequence: UInt64 { state.withLockedValue { $0.nextSequence } }

    /// Calls `body` when a message arrives into the empty queue (to wake a runner).
    public func onArrival(_ body: @escaping @Sendable () -> Void) { inbox.onArrival(body) }

    /// Creates the consumer at the next sequence and asks for the first messages.
    func makeConsumer() async throws {
        var config = ConsumerConfig()
        let from = state.withLockedValue { $0.nextSequence }
        config.deliverPolicy = "by_start_sequence"
        config.optStartSeq = from
        config.ackPolicy = "none"
        config.memStorage = true
        config.inactiveThreshold = 120_000_000_000
        if let filterSubjects {
            if filterSubjects.count == 1 { config.filterSubject = filterSubjects[0] } else { config.filterSubjects = filterSubjects }
        }
        let info = try await js.createConsumer(stream: stream, config: config)
        let old = state.withLockedValue { s -> String? in
            defer {
                s.consumer = info.name
                s.owed = 0
                s.delivered = 0
                s.lastActivity = .now
                s.rebuilding = false
            }
            return s.consumer
        }
        if let old { try? await js.deleteConsumer(stream: stream, name: old) }
        try pullIfLow()
    }

    /// Up to `max` messages in sequence order, without waiting; empty when none is
    /// there now. Throws when the consumer cannot be made again (the stream is gone).
    public func poll(max: Int = .max) throws -> [JetStreamMessage] {
        if let failure = state.withLockedValue({ $0.failure }) { throw failure }
        var out: [JetStreamMessage] = []
        while out.count < max {
            let arrived = inbox.drain(max: max - out.count)
            if arrived.isEmpty { break }
            for message in arrived {
                if let status = message.status {
                    handle(status: status, message)
                    continue
                }
                guard let (sequence, delivered, from, pending, storedAt) = Self.sequences(ofReply: message.replyTo) else { continue }
                enum Verdict { case take, ignore, lost }
                let verdict = state.withLockedValue { s -> Verdict in
                    // A message of a consumer made before (a rebuild, a reposition) is not ours.
                    guard !s.rebuilding, from == s.consumer else { return .ignore }
                    s.lastActivity = .now
                    // Each consumer delivers 1, 2, 3, ...: anything else means a message
                    // was lost on the way, and the consumer is made again where we stand.
                    guard delivered == s.delivered + 1, sequence >= s.nextSequence else { return .lost }
                    s.delivered = delivered
                    s.nextSequence = sequence + 1
                    s.pending = pending
                    s.owed = Swift.max(0, s.owed - 1)
                    return .take
                }
                switch verdict {
                case .take:
                    out.append(JetStreamMessage(subject: message.subject, headers: message.headers, payload: message.payload,
                                                streamSequence: sequence, storedAtNanoseconds: storedAt))
                case .lost: rebuild()
                case .ignore: break
                }
            }
        }
        // A pull waiting at the server sends a heartbeat every second: silence while
        // messages are owed means the pull, or the consumer, is gone.
        let silent = state.withLockedValue { s in
            !s.rebuilding && s.owed > 0 && ContinuousClock.now - s.lastActivity > Self.heartbeat * 2 + .milliseconds(500)
        }
        if silent { rebuild() } else { try pullIfLow() }
        return out
    }

    func handle(status: Int, _ message: NATSMessage) {
        switch status {
        case 100:  // idle heartbeat (or flow control, which a pull consumer does not ask)
            state.withLockedValue { $0.lastActivity = .now }
        case 408:  // a pull request expired: what it still owed is not coming
            let pending = Int(message.headers?["Nats-Pending-Messages"] ?? "") ?? 0
            state.withLockedValue { s in
                s.lastActivity = .now
                s.owed = Swift.max(0, s.owed - (pending > 0 ? pending : 0))
            }
        default:  // 409: consumer deleted, leadership change; 404 or 503: no such consumer
            rebuild()
        }
    }

    /// Asks for another batch when less than half a batch is owed.
    func pullIfLow() throws {
        let request = state.withLockedValue { s -> String? in
            guard !s.rebuilding, let consumer = s.consumer, s.owed < batch / 2 + 1 else { return nil }
            s.owed += batch
            return consumer
        }
        guard let consumer = request else { return }
        let body = "{\"batch\":\(batch),\"expires\":\(Self.expires.components.seconds * 1_000_000_000),"
            + "\"idle_heartbeat\":\(Self.heartbeat.components.seconds * 1_000_000_000)}"
        do {
            try js.connection.publish("\(js.apiPrefix).CONSUMER.MSG.NEXT.\(stream).\(consumer)", replyTo: deliverSubject,
                                      payload: Array(body.utf8))
        } catch NATSError.cannotConnect(_) {
            // Disconnected: what is owed does not come, and the silence makes the consumer again.
        }
    }

    /// Makes the consumer again at the next sequence, in the background.
    func rebuild() {
        let start = state.withLockedValue { s -> Bool in
            guard !s.rebuilding else { return false }
            s.rebuilding = true
            return true
        }
        guard start else { return }
        Task {
            var delay = Duration.milliseconds(100)
            while true {
                do {
                    try await makeConsumer()
                    return
                } catch let error as JetStreamAPIError where error.errCode == JetStreamAPIError.streamNotFound {
                    state.withLockedValue { $0.failure = error }
                    return
                } catch {
                    try? await Task.sleep(for: delay)
                    delay = min(delay * 2, .seconds(5))
                }
            }
        }
    }

    /// The stream sequence, the consumer's delivery sequence, the consumer's name, the
    /// messages pending after this one and when it was stored, from a message's reply subject:
    /// `$JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<ts>.<pending>`, or with a
    /// domain and account hash before the stream (12 tokens or more).
    static func sequences(ofReply reply: String?)
        -> (stream: UInt64, consumer: UInt64, name: String, pending: UInt64, storedAt: UInt64)? {
        guard let reply else { return nil }
        let tokens = reply.split(separator: ".", omittingEmptySubsequences: false)
        guard tokens.count >= 9, tokens[0] == "$JS", tokens[1] == "ACK" else { return nil }
        let base = tokens.count >= 12 ? 4 : 2
        guard let sseq = UInt64(tokens[base + 3]), let cseq = UInt64(tokens[base + 4]) else { return nil }
        return (sseq, cseq, String(tokens[base + 1]), UInt64(tokens[base + 6]) ?? 0, UInt64(tokens[base + 5]) ?? 0)
    }

    /// The messages of the stream (of the filter's subjects) after the last one taken,
    /// as the server counted them when it delivered that one: the reader's lag, as of
    /// its last message.
    public var messagesBehind: UInt64 { state.withLockedValue { $0.pending } }

    /// Reads from `sequence` on (a restored run's position): the consumer is made again
    /// there, in the background; polls return nothing until it is.
    public func reposition(to sequence: UInt64) {
        state.withLockedValue { s in s.nextSequence = max(1, sequence) }
        rebuild()
    }

    /// Stops reading: the consumer is deleted, its inbox unsubscribed.
    public func stop() async {
        let consumer = state.withLockedValue { s -> String? in
            defer { s.consumer = nil }
            return s.consumer
        }
        try? js.connection.unsubscribe(inbox)
        if let consumer { try? await js.deleteConsumer(stream: stream, name: consumer) }
    }
}
