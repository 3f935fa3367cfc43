import NIOConcurrencyHelpers

/// A request that a running job stop at its next batch boundary, and why (the signal's
/// name, or "shutdown" when its service group shuts down). Asked from anywhere; read by
/// the job between batches, where it takes a final checkpoint and returns.
public final class StopRequest: Sendable {
    let reason = NIOLockedValueBox<String?>(nil)

    public init() {}

    /// Asks the job to stop; the first reason given is kept.
    public func request(_ why: String) {
        reason.withLockedValue { if $0 == nil { $0 = why } }
    }

    /// Why the job was asked to stop, or `nil` while it was not.
    public var requested: String? { reason.withLockedValue { $0 } }
}
