import Dataflow
import Operators

/// A change of one SKU's availability at one location, for the global rollup.
public struct AvailabilityChange: Sendable, Hashable {
    public var sku: String
    public var delta: Int64
    /// The location had no entry for the SKU before this change.
    public var newLocation: Bool
    public var eventTime: Int64
}

/// A line of `availability.jsonl`: a SKU's availability summed over all locations.
public struct AvailabilityRow: Sendable, Hashable {
    public var sku: String
    public var available: Int64
    /// Locations whose state has ever had an entry for the SKU.
    public var locations: Int64
    public var eventTime: Int64

    public init(sku: String, available: Int64, locations: Int64, eventTime: Int64) {
        self.sku = sku
        self.available = available
        self.locations = locations
        self.eventTime = eventTime
    }

    public func writeJSON(into out: inout [UInt8]) {
        JSONWriter.appendRaw("{\"sku\":", to: &out)
        JSONWriter.appendString(sku, to: &out)
        JSONWriter.appendRaw(",\"available\":", to: &out)
        JSONWriter.appendInt(available, to: &out)
        JSONWriter.appendRaw(",\"locations\":", to: &out)
        JSONWriter.appendInt(locations, to: &out)
        JSONWriter.appendRaw(",\"event_time\":", to: &out)
        JSONWriter.appendInt(eventTime, to: &out)
        JSONWriter.appendRaw("}\n", to: &out)
    }
}

/// A SKU's running totals over all locations.
public struct AvailabilityTotal: StateCodable, Hashable {
    public var available: Int64 = 0
    public var locations: Int64 = 0

    public func encode(to writer: inout StateWriter) {
        writer.write(available)
        writer.write(locations)
    }

    public static func decode(from reader: inout StateReader) throws -> AvailabilityTotal {
        AvailabilityTotal(available: try reader.readInt64(), locations: try reader.readInt64())
    }
}

/// The global availability rollup, keyed by SKU: sums the changes of every location
/// and writes a row whenever the sum changes.
public struct AvailabilityRollup: KeyedProcessFunction {
    public typealias Key = String
    public typealias Input = AvailabilityChange
    public typealias Output = AvailabilityRow

    var totals: ValueState<String, NoNamespace, AvailabilityTotal>!

    public init() {}

    public mutating func open(_ state: StateScope) throws {
        totals = try state.valueState("totals")
    }

    public mutating func processElement(_ change: AvailabilityChange, key sku: String, context: ProcessContext<Self>) throws {
        let total = try totals.update(sku, NoNamespace()) { total -> AvailabilityTotal in
            var t = total ?? AvailabilityTotal()
            t.available &+= change.delta
            if change.newLocation { t.locations += 1 }
            total = t
            return t
        }
        if change.delta != 0 {
            context.emit(AvailabilityRow(sku: sku, available: total.available, locations: total.locations,
                                         eventTime: change.eventTime))
        }
    }
}
