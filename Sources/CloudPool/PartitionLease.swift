/// A worker's hold on one partition of a job, as the `TILLFLOW_LEASES` bucket grants it:
/// a key (`<job>.<partition>`) whose value names the worker, written with a time to
/// live of the lease, renewed by compare-and-set before it lapses.
///
/// What holds: no two workers publish for a partition at once. Another worker can take
/// the key only after the server has let it lapse, `lease` after the last renewal the
/// server stored; a renewal is stored after it was sent, so the holder counts its term
/// from the moment it sent the renewal, and stops publishing `margin` before that term
/// ends (`mayPublish`), whether or not it has heard back. Times are milliseconds of a
/// clock the owner gives (logical in tests).
public struct PartitionLease: Sendable, Equatable {
    public let key: String
    public let leaseMs: Int64
    /// The key's revision after the last renewal stored: what the next one sets over.
    public private(set) var revision: UInt64
    /// When the last renewal that was stored was sent.
    public private(set) var renewedAtMs: Int64

    public init(key: String, leaseMs: Int64, revision: UInt64, sentAtMs: Int64) {
        self.key = key
        self.leaseMs = leaseMs
        self.revision = revision
        renewedAtMs = sentAtMs
    }

    /// Time kept back from the end of a term: a clock step or a pause of the process
    /// between the check and a publish.
    public var marginMs: Int64 { max(500, leaseMs / 5) }

    /// Whether the holder may still publish: its term, counted from the sending of its
    /// last stored renewal, has not ended, less the margin.
    public func mayPublish(atMs now: Int64) -> Bool { now < renewedAtMs + leaseMs - marginMs }

    /// A renewal is due a quarter of the way into the term: two more tries before it
    /// ends, however slow one is.
    public func renewalDue(atMs now: Int64) -> Bool { now >= renewedAtMs + leaseMs / 4 }

    /// A renewal sent at `sentAtMs` was stored at `revision`.
    public mutating func renewed(revision: UInt64, sentAtMs: Int64) {
        self.revision = revision
        renewedAtMs = max(renewedAtMs, sentAtMs)
    }
}
