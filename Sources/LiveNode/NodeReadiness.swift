import NIOConcurrencyHelpers

/// What `GET /ready` answers (live.md section 3): a node is ready when it is connected
/// to NATS, its state is restored and it is caught up to within one batch of its input.
/// Set by the job between batches and by the connection's changes; read by the HTTP
/// handlers.
public final class NodeReadiness: Sendable {
    struct Facts {
        var connected = false
        var restored = false
        var messagesBehind: UInt64 = .max
    }

    let facts = NIOLockedValueBox(Facts())
    /// Messages behind the stream's end that still count as caught up: one batch.
    public let batchLines: UInt64

    public init(batchLines: Int) { self.batchLines = UInt64(batchLines) }

    public func connected(_ yes: Bool) { facts.withLockedValue { $0.connected = yes } }

    /// The job has restored its state (or started afresh) and read its input this far.
    public func progressed(messagesBehind: UInt64) {
        facts.withLockedValue { f in
            f.restored = true
            f.messagesBehind = messagesBehind
        }
    }

    /// `nil` when ready, or why not.
    public var notReadyBecause: String? {
        let f = facts.withLockedValue { $0 }
        if !f.connected { return "not connected to NATS" }
        if !f.restored { return "state not restored yet" }
        if f.messagesBehind > batchLines { return "\(f.messagesBehind) input messages behind" }
        return nil
    }
}
