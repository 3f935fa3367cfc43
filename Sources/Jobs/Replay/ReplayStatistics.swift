import Dataflow

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

    func encode(to writer: inout StateWriter) {
        for n in [valid, windowsFired, windowRevisions, rollupRows, late, inventoryEvents, alerts, availabilityRows] {
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

    func restore(from reader: inout StateReader) throws {
        valid = try reader.readInt64()
        windowsFired = try reader.readInt64()
        windowRevisions = try reader.readInt64()
        rollupRows = try reader.readInt64()
        late = try reader.readInt64()
        inventoryEvents = try reader.readInt64()
        alerts = try reader.readInt64()
        availabilityRows = try reader.readInt64()
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
