/// Named counters a job keeps for its summary, with what its source has read: the
/// statistics a job can return when it needs no figures of its own kind.
///
///     let counters = JobCounters(reading: source)
///     ... sink("big-baskets-sink", ...) { row, out in counters.add("windows", 1); ... }
///     return counters
///
/// Counters appear in the summary in the order they were first added to; they are
/// checkpointed with the run.
public final class JobCounters: RunStatistics {
    let source: any ReadCounting
    private var names: [String] = []
    private var values: [String: Int64] = [:]

    public init(reading source: any ReadCounting) {
        self.source = source
    }

    /// Adds `n` to the counter `name` (made at 0 the first time).
    public func add(_ name: String, _ n: Int64) {
        if values[name] == nil { names.append(name) }
        values[name, default: 0] += n
    }

    public subscript(name: String) -> Int64 { values[name] ?? 0 }

    public var recordsRead: Int64 { source.linesRead }
    public var bytesRead: Int64 { source.bytesRead }
    public var summaryLines: [String] { names.map { SummaryText.line($0, SummaryText.count(values[$0]!)) } }

    public func snapshot(into writer: inout StateWriter) throws {
        source.snapshotCounts(into: &writer)
        writer.write(UInt32(names.count))
        for name in names {
            writer.write(name)
            writer.write(values[name]!)
        }
    }

    public func restore(from reader: inout StateReader) throws {
        try source.restoreCounts(from: &reader)
        names = []
        values = [:]
        for _ in 0 ..< (try reader.readUInt32()) {
            let name = try reader.readString()
            names.append(name)
            values[name] = try reader.readInt64()
        }
    }
}
