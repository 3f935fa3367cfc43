import Dataflow

/// A reservation a location has seen, kept so that a repeated id gets its first
/// decision again and a commit or release finds what it holds.
public struct Reservation: StateCodable, Hashable {
    public enum Status: UInt8, Sendable {
        /// Accepted and holding stock.
        case open
        case committed, released, expired
        /// Rejected when made: holds nothing; a commit or release of it is unknown.
        case rejected
    }

    public var status: Status
    /// The lines with repeated SKUs merged, in order of first appearance.
    public var lines: [ReservationLine]
    /// Event time at which an open reservation expires.
    public var expiresAt: Int64
    /// Written again, unchanged, for a repeated `reserve` with this id.
    public var firstDecision: ReservationDecision

    public init(status: Status, lines: [ReservationLine], expiresAt: Int64, firstDecision: ReservationDecision) {
        self.status = status
        self.lines = lines
        self.expiresAt = expiresAt
        self.firstDecision = firstDecision
    }

    public func encode(to writer: inout StateWriter) {
        writer.write(status.rawValue)
        writer.write(expiresAt)
        writer.write(UInt32(lines.count))
        for line in lines {
            writer.write(line.sku)
            writer.write(line.qty)
        }
        firstDecision.encode(to: &writer)
    }

    public static func decode(from reader: inout StateReader) throws -> Reservation {
        guard let status = Status(rawValue: try reader.readUInt8()) else { throw StateDecodingError("bad reservation status") }
        let expiresAt = try reader.readInt64()
        let n = try reader.readUInt32()
        var lines: [ReservationLine] = []
        for _ in 0 ..< n { lines.append(ReservationLine(sku: try reader.readString(), qty: try reader.readInt64())) }
        return Reservation(status: status, lines: lines, expiresAt: expiresAt, firstDecision: try .decode(from: &reader))
    }
}

extension Array where Element == ReservationLine {
    /// Repeated SKUs counted together, in order of their first appearance.
    public func mergedBySKU() -> [ReservationLine] {
        var merged: [ReservationLine] = []
        var index: [String: Int] = [:]
        for line in self {
            if let i = index[line.sku] {
                // Saturate: two huge lines must not wrap into a small or negative hold.
                let (sum, overflow) = merged[i].qty.addingReportingOverflow(line.qty)
                merged[i].qty = overflow ? .max : sum
            } else {
                index[line.sku] = merged.count
                merged.append(line)
            }
        }
        return merged
    }
}
