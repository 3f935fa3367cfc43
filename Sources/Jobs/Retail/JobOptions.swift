/// The knobs of the retail jobs, with the defaults of spec/cli.md.
public struct JobOptions: Sendable {
    public var windowMs: Int64 = 10_000
    public var outOfOrdernessMs: Int64 = 2_000
    public var allowedLatenessMs: Int64 = 0
    public var totalMismatch: TotalMismatchPolicy = .correct
    public var dedupHorizonMs: Int64 = 24 * 3_600_000
    /// Inventory alert threshold: `low_stock` when availability falls below it.
    public var lowStockThreshold: Int64 = 5
    /// Time to live of a reservation that gives no `ttl_ms`.
    public var reservationTTLMs: Int64 = 15 * 60_000
    /// Lines per batch read from the input files.
    public var batchLines: Int = 4096
    /// Threads the job's parallel steps run on; 1 runs the whole job on the caller's
    /// thread. Results do not depend on it (spec section 0), so a checkpoint taken at
    /// one parallelism restores at another.
    public var parallelism: Int = 1

    public init() {}
}

/// The jobs `tillflow replay` runs.
public enum JobKind: String, Sendable, CaseIterable {
    case validation
    case turnover
    case inventory
    /// Validation, turnover and inventory over one stream, as a store's edge node runs them.
    case edge

    public var includesTurnover: Bool { self == .turnover || self == .edge }
    public var includesInventory: Bool { self == .inventory || self == .edge }

    /// The files the job writes into its output directory.
    public var outputs: [String] {
        var names = ["valid.jsonl", "invalid.jsonl"]
        if includesTurnover { names += ["turnover.jsonl", "rollup.jsonl", "late.jsonl"] }
        if includesInventory { names += ["decisions.jsonl", "alerts.jsonl", "availability.jsonl"] }
        return names
    }
}
