import DequeModule
import NIOConcurrencyHelpers

/// The messages of one subscription, queued as they arrive on the connection's event
/// loop, taken by one consumer: awaited one at a time (`next()`) or drained without
/// waiting (`drain(max:)`, for a source that must never block).
///
/// The queue is unbounded: flow control is JetStream's (a consumer's max-ack-pending
/// or a pull's batch size), not the socket's.
public final class NATSSubscription: Sendable {
    public let subject: String
    public let queueGroup: String?
    let sid: UInt64

    struct Queue {
        var messages = Deque<NATSMessage>()
        var waiter: CheckedContinuation<NATSMessage?, Never>?
        var ended = false
        /// Called once after a message arrives into an empty queue (the live runner's wake-up).
        var onArrival: (@Sendable () -> Void)?
    }

    let queue = NIOLockedValueBox(Queue())

    init(subject: String, queueGroup: String?, sid: UInt64) {
        self.subject = subject
        self.queueGroup = queueGroup
        self.sid = sid
    }

    /// The next message, waiting for it; `nil` once the subscription has ended (it was
    /// unsubscribed, or the connection closed). One waiter at a time.
    public func next() async -> NATSMessage? {
        await withCheckedContinuation { continuation in
            let ready: NATSMessage?? = queue.withLockedValue { q in
                if let m = q.messages.popFirst() { return .some(m) }
                if q.ended { return .some(nil) }
                precondition(q.waiter == nil, "two tasks wait on one NATS subscription")
                q.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// Up to `max` queued messages, without waiting (empty when none has arrived).
    public func drain(max: Int = .max) -> [NATSMessage] {
        queue.withLockedValue { q in
            let n = Swift.min(max, q.messages.count)
            defer { q.messages.removeFirst(n) }
            return Array(q.messages.prefix(n))
        }
    }

    /// Whether the subscription has ended and every message was taken.
    public var isFinished: Bool { queue.withLockedValue { $0.ended && $0.messages.isEmpty } }

    /// Sets what to call when a message arrives into an empty queue.
    public func onArrival(_ body: @escaping @Sendable () -> Void) {
        queue.withLockedValue { $0.onArrival = body }
    }

    func deliver(_ message: NATSMessage) {
        let (waiter, wake): (CheckedContinuation<NATSMessage?, Never>?, (@Sendable () -> Void)?) = queue.withLockedValue { q in
            if let w = q.waiter {
                q.waiter = nil
                return (w, nil)
            }
            q.messages.append(message)
            return (nil, q.messages.count == 1 ? q.onArrival : nil)
        }
        waiter?.resume(returning: message)
        wake?()
    }

    func end() {
        let waiter = queue.withLockedValue { q -> CheckedContinuation<NATSMessage?, Never>? in
            q.ended = true
            defer { q.waiter = nil }
            return q.waiter
        }
        waiter?.resume(returning: nil)
    }
}
