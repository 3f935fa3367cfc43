import ArgumentParser

/// A memory size on the command line: `64MiB`, `1GiB`, `512KiB`, or plain bytes.
public struct ByteSizeArgument: ExpressibleByArgument, Sendable {
    public var bytes: Int64

    public init?(argument: String) {
        let units: [(String, Int64)] = [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10), ("B", 1), ("", 1)]
        for (suffix, scale) in units where argument.hasSuffix(suffix) {
            guard let n = Int64(argument.dropLast(suffix.count)), n > 0 else { continue }
            let (b, overflow) = n.multipliedReportingOverflow(by: scale)
            guard !overflow else { return nil }
            bytes = b
            return
        }
        return nil
    }

    /// The default as `--help` shows it: `256MiB`, not the struct's fields.
    public var defaultValueDescription: String {
        let units: [(String, Int64)] = [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)]
        for (suffix, scale) in units where bytes % scale == 0 { return "\(bytes / scale)\(suffix)" }
        return "\(bytes)"
    }
}
