/// What a run did, counted as records reach the outputs: the end-of-run summary.
public final class ReplayStatistics {
    public internal(set) var valid: Int64 = 0
    public internal(set) var invalidByReason: [RejectReason: Int64] = [:]
    /// Store window rows emitted at revision 0.
    public internal(set) var windowsFired: Int64 = 0
    /// Store window rows emitted again after a late record within the allowed lateness.
    public internal(set) var windowRevisions: Int64 = 0
    public internal(set) var rollupRows: Int64 = 0
    public internal(set) var late: Int64 = 0
    public internal(set) var inventoryEvents: Int64 = 0
    public internal(set) var decisionsByOutcome: [String: Int64] = [:]
    public internal(set) var alerts: Int64 = 0
    public internal(set) var availabilityRows: Int64 = 0

    public init() {}

    public var invalid: Int64 { invalidByReason.values.reduce(0, +) }
}
