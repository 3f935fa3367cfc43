import Dataflow

/// A line of `alerts.jsonl`: availability crossed a line downwards.
public struct StockAlert: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// Fell below the threshold from at or above it.
        case lowStock(threshold: Int64)
        /// Fell below 0 from at or above it.
        case oversold
    }

    public var kind: Kind
    public var location: String
    public var sku: String
    public var available: Int64
    public var eventTime: Int64

    public func writeJSON(into out: inout [UInt8]) {
        switch kind {
        case .lowStock: JSONWriter.appendRaw("{\"alert\":\"low_stock\",\"location\":", to: &out)
        case .oversold: JSONWriter.appendRaw("{\"alert\":\"oversold\",\"location\":", to: &out)
        }
        JSONWriter.appendString(location, to: &out)
        JSONWriter.appendRaw(",\"sku\":", to: &out)
        JSONWriter.appendString(sku, to: &out)
        JSONWriter.appendRaw(",\"available\":", to: &out)
        JSONWriter.appendInt(available, to: &out)
        if case .lowStock(let threshold) = kind {
            JSONWriter.appendRaw(",\"threshold\":", to: &out)
            JSONWriter.appendInt(threshold, to: &out)
        }
        JSONWriter.appendRaw(",\"event_time\":", to: &out)
        JSONWriter.appendInt(eventTime, to: &out)
        JSONWriter.appendRaw("}\n", to: &out)
    }
}
