import Dataflow

/// What a retail job's run did, counted as records reach the outputs, with the lines and
/// bytes its source has read: its progress and its summary lines. Checkpointed with the
/// job, so that a resumed run's summary covers the whole input.
public final class RetailStatistics: RunStatistics {
    public let kind: JobKind
    let source: any ReadCounting
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
    /// Clock marks among the lines: not records (live.md section 1), so not counted as read.
    public internal(set) var clockMarks: Int64 = 0
    /// The validation stage's watermark as its output last carried it (not checkpointed:
    /// a restored run learns it again from its first batches).
    public internal(set) var validationWatermark = Watermark.initial

    init(_ kind: JobKind, _ source: any ReadCounting) {
        self.kind = kind
        self.source = source
    }

    public var recordsRead: Int64 { source.linesRead - clockMarks }
    public var bytesRead: Int64 { source.bytesRead }

    public var summaryLines: [String] {
        var lines = [SummaryText.line("valid", SummaryText.count(valid)), SummaryText.line("invalid", SummaryText.count(invalid))]
        for reason in RejectReason.allCases {
            if let c = invalidByReason[reason] { lines.append(SummaryText.line(reason.rawValue, SummaryText.count(c), indent: 4, width: 16)) }
        }
        if clockMarks > 0 { lines.append(SummaryText.line("clock marks", SummaryText.count(clockMarks))) }
        if kind.includesInventory {
            lines.append(SummaryText.line("inventory events", SummaryText.count(inventoryEvents)))
            let decisions = ["accepted", "rejected", "committed", "released", "expired"]
                .map { "\($0) \(SummaryText.count(decisionsByOutcome[$0] ?? 0))" }.joined(separator: ", ")
            lines.append(SummaryText.line("decisions", decisions))
            lines.append(SummaryText.line("alerts", SummaryText.count(alerts)))
            lines.append(SummaryText.line("availability", "\(SummaryText.count(availabilityRows)) rows"))
        }
        if kind.includesTurnover {
            lines.append(SummaryText.line("windows fired", SummaryText.count(windowsFired)))
            lines.append(SummaryText.line("revisions", SummaryText.count(windowRevisions)))
            lines.append(SummaryText.line("rollup rows", SummaryText.count(rollupRows)))
            lines.append(SummaryText.line("late", SummaryText.count(late)))
        }
        return lines
    }

    public var invalid: Int64 { invalidByReason.values.reduce(0, +) }

    /// The source's counts, then the figures (the layout checkpoints have had since
    /// replay began).
    public func snapshot(into writer: inout StateWriter) throws {
        source.snapshotCounts(into: &writer)
        for n in [valid, windowsFired, windowRevisions, rollupRows, late, inventoryEvents, alerts, availabilityRows, clockMarks] {
            writer.write(n)
        }
        let reasons = invalidByReason.map { ($0.key.rawValue, $0.value) }.sorted { $0.0 < $1.0 }
        let outcomes = decisionsByOutcome.sorted { $0.key < $1.key }
        for table in [reasons, outcomes.map { ($0.key, $0.value) }] {
            writer.write(UInt32(table.count))
            for (name, n) in table {
                writer.write(name)
                writer.write(n)
            }
        }
    }

    public func restore(from reader: inout StateReader) throws {
        try source.restoreCounts(from: &reader)
        valid = try reader.readInt64()
        windowsFired = try reader.readInt64()
        windowRevisions = try reader.readInt64()
        rollupRows = try reader.readInt64()
        late = try reader.readInt64()
        inventoryEvents = try reader.readInt64()
        alerts = try reader.readInt64()
        availabilityRows = try reader.readInt64()
        clockMarks = try reader.readInt64()
        invalidByReason = [:]
        for _ in 0 ..< (try reader.readUInt32()) {
            let name = try reader.readString()
            guard let reason = RejectReason(rawValue: name) else { throw StateDecodingError("unknown reject reason '\(name)'") }
            invalidByReason[reason] = try reader.readInt64()
        }
        decisionsByOutcome = [:]
        for _ in 0 ..< (try reader.readUInt32()) {
            let name = try reader.readString()
            decisionsByOutcome[name] = try reader.readInt64()
        }
    }
}
