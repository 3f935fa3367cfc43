/// The content form of an input file, decided by its name.
public enum InputFormat: Sendable, Equatable {
    /// One JSON document per line (`*.jsonl`, and any name not ending in `.csv`).
    case jsonLines
    /// The flat CSV form of spec section 1: a header line, then one row per record.
    case csv
}

/// One input file of a replay, as named on the command line.
public struct InputFile: Sendable, Equatable {
    public var path: String
    /// The name used in dead letters' `source` (`tx-2026-11-21.jsonl:1841`).
    public var baseName: String
    /// `true` when the name ends in `.zst`: the content is zstd-compressed.
    public var isCompressed: Bool
    public var format: InputFormat

    public init(path: String) {
        self.path = path
        let base = path.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? path
        self.baseName = base
        let lower = base.lowercased()
        self.isCompressed = lower.hasSuffix(".zst")
        let inner = isCompressed ? String(lower.dropLast(4)) : lower
        self.format = inner.hasSuffix(".csv") ? .csv : .jsonLines
    }
}
