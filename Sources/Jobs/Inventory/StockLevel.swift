import Dataflow

/// One SKU at one location. Counts wrap on overflow instead of trapping (only an
/// adversarial stream of huge adjustments could reach it; a run never crashes).
public struct StockLevel: StateCodable, Hashable {
    public var onHand: Int64
    public var reserved: Int64

    public init(onHand: Int64 = 0, reserved: Int64 = 0) {
        self.onHand = onHand
        self.reserved = reserved
    }

    public var available: Int64 { onHand &- reserved }

    public func encode(to writer: inout StateWriter) {
        writer.write(onHand)
        writer.write(reserved)
    }

    public static func decode(from reader: inout StateReader) throws -> StockLevel {
        StockLevel(onHand: try reader.readInt64(), reserved: try reader.readInt64())
    }
}
