/// The knobs of the retail jobs, with the defaults of spec/cli.md.
public struct JobOptions: Sendable {
    public var windowMs: Int64 = 10_000
    public var outOfOrdernessMs: Int64 = 2_000
    public var allowedLatenessMs: Int64 = 0
    public var totalMismatch: TotalMismatchPolicy = .correct
    public var dedupHorizonMs: Int64 = 24 * 3_600_000
    /// Lines per batch read from the input files.
    public var batchLines: Int = 4096

    public init() {}
}

/// The jobs `tillflow replay` runs.
public enum JobKind: String, Sendable, CaseIterable {
    case validation
    case turnover

    /// The files the job writes into its output directory.
    public var outputs: [String] {
        switch self {
        case .validation: ["valid.jsonl", "invalid.jsonl"]
        case .turnover: ["valid.jsonl", "invalid.jsonl", "turnover.jsonl", "rollup.jsonl", "late.jsonl"]
        }
    }
}
