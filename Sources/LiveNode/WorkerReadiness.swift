import NIOConcurrencyHelpers

/// A cloud worker is ready when it is connected to NATS and a member of the pool (it
/// said it is alive and takes its share of partitions); a worker leaving is not.
public final class WorkerReadiness: Readiness {
    struct Facts {
        var connected = false
        var member = false
    }

    let facts = NIOLockedValueBox(Facts())

    public init() {}

    public func connected(_ yes: Bool) { facts.withLockedValue { $0.connected = yes } }
    public func member(_ yes: Bool) { facts.withLockedValue { $0.member = yes } }

    public var notReadyBecause: String? {
        let f = facts.withLockedValue { $0 }
        if !f.connected { return "not connected to NATS" }
        if !f.member { return "not a member of the pool" }
        return nil
    }
}
