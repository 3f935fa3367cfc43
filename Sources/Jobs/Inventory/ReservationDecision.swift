import Dataflow

/// A line of `decisions.jsonl` (spec section 6).
public struct ReservationDecision: Sendable, Hashable, StateCodable {
    public enum Outcome: UInt8, Sendable {
        case accepted, rejected, committed, released, expired

        public var name: String {
            switch self {
            case .accepted: "accepted"
            case .rejected: "rejected"
            case .committed: "committed"
            case .released: "released"
            case .expired: "expired"
            }
        }
    }

    /// Why a reservation, commit or release was rejected.
    public enum Reason: UInt8, Sendable {
        case insufficientStock, unknownReservation, alreadyCommitted, alreadyReleased, alreadyExpired

        public var name: String {
            switch self {
            case .insufficientStock: "insufficient_stock"
            case .unknownReservation: "unknown_reservation"
            case .alreadyCommitted: "already_committed"
            case .alreadyReleased: "already_released"
            case .alreadyExpired: "already_expired"
            }
        }
    }

    /// A line of an accepted reservation (`available` is the SKU's availability after
    /// it) or of a rejected one (`available` is what was there).
    public struct Line: Sendable, Hashable {
        public var sku: String
        public var qty: Int64
        public var available: Int64
    }

    public var reservationID: String
    /// Present on decisions about a `reserve`.
    public var orderID: String?
    public var location: String
    public var outcome: Outcome
    public var reason: Reason?
    public var eventTime: Int64
    /// Present on decisions about a `reserve`.
    public var lines: [Line]?

    public init(reservationID: String, orderID: String?, location: String, outcome: Outcome, reason: Reason? = nil,
                eventTime: Int64, lines: [Line]? = nil) {
        self.reservationID = reservationID
        self.orderID = orderID
        self.location = location
        self.outcome = outcome
        self.reason = reason
        self.eventTime = eventTime
        self.lines = lines
    }

    static var version: UInt8 { 1 }

    public func encode(to writer: inout StateWriter) {
        writer.write(Self.version)
        writer.write(reservationID)
        writer.write(orderID != nil)
        if let orderID { writer.write(orderID) }
        writer.write(location)
        writer.write(outcome.rawValue)
        writer.write(reason?.rawValue ?? 0xFF)
        writer.write(eventTime)
        writer.write(UInt32(lines?.count ?? 0))
        writer.write(lines != nil)
        for line in lines ?? [] {
            writer.write(line.sku)
            writer.write(line.qty)
            writer.write(line.available)
        }
    }

    public static func decode(from reader: inout StateReader) throws -> ReservationDecision {
        let version = try reader.readUInt8()
        guard version == Self.version else { throw StateDecodingError("unknown decision version \(version)") }
        let id = try reader.readString()
        let orderID = try reader.readBool() ? try reader.readString() : nil
        let location = try reader.readString()
        guard let outcome = Outcome(rawValue: try reader.readUInt8()) else { throw StateDecodingError("bad outcome") }
        let rawReason = try reader.readUInt8()
        let reason = rawReason == 0xFF ? nil : Reason(rawValue: rawReason)
        let eventTime = try reader.readInt64()
        let n = try reader.readUInt32()
        let hasLines = try reader.readBool()
        var lines: [Line] = []
        for _ in 0 ..< n {
            lines.append(Line(sku: try reader.readString(), qty: try reader.readInt64(), available: try reader.readInt64()))
        }
        return ReservationDecision(reservationID: id, orderID: orderID, location: location, outcome: outcome, reason: reason,
                                   eventTime: eventTime, lines: hasLines ? lines : nil)
    }

    /// The line as spec section 6 writes it, `\n` included.
    public func writeJSON(into out: inout [UInt8]) {
        JSONWriter.appendRaw("{\"reservation_id\":", to: &out)
        JSONWriter.appendString(reservationID, to: &out)
        if let orderID {
            JSONWriter.appendRaw(",\"order_id\":", to: &out)
            JSONWriter.appendString(orderID, to: &out)
        }
        JSONWriter.appendRaw(",\"location\":", to: &out)
        JSONWriter.appendString(location, to: &out)
        JSONWriter.appendRaw(",\"decision\":", to: &out)
        JSONWriter.appendString(outcome.name, to: &out)
        if let reason {
            JSONWriter.appendRaw(",\"reason\":", to: &out)
            JSONWriter.appendString(reason.name, to: &out)
        }
        JSONWriter.appendRaw(",\"event_time\":", to: &out)
        JSONWriter.appendInt(eventTime, to: &out)
        if let lines {
            JSONWriter.appendRaw(",\"lines\":[", to: &out)
            for (i, line) in lines.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                JSONWriter.appendRaw("{\"sku\":", to: &out)
                JSONWriter.appendString(line.sku, to: &out)
                JSONWriter.appendRaw(",\"qty\":", to: &out)
                JSONWriter.appendInt(line.qty, to: &out)
                if outcome == .accepted {
                    JSONWriter.appendRaw(",\"available_after\":", to: &out)
                } else {
                    JSONWriter.appendRaw(",\"available\":", to: &out)
                }
                JSONWriter.appendInt(line.available, to: &out)
                out.append(UInt8(ascii: "}"))
            }
            out.append(UInt8(ascii: "]"))
        }
        JSONWriter.appendRaw("}\n", to: &out)
    }
}
