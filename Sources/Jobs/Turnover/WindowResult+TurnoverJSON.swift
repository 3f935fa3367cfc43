import Dataflow
import Operators

extension WindowResult where Key == TurnoverKey, Value == TurnoverTotals {
    /// A `turnover.jsonl` line (spec section 4), `\n` included.
    public func writeJSON(into out: inout [UInt8]) {
        JSONWriter.appendRaw("{\"store_id\":", to: &out)
        JSONWriter.appendString(key.storeID, to: &out)
        TurnoverJSON.appendWindowFields(start: windowStart, end: windowEnd, currency: key.currency, totals: value, to: &out)
        JSONWriter.appendRaw(",\"revision\":", to: &out)
        JSONWriter.appendInt(revision, to: &out)
        JSONWriter.appendRaw("}\n", to: &out)
    }
}

extension WindowResult where Key == Currency, Value == RollupTotals {
    /// A `rollup.jsonl` line: a store row's fields with `"store_id":"*"`, then `stores`.
    public func writeJSON(into out: inout [UInt8]) {
        JSONWriter.appendRaw("{\"store_id\":\"*\"", to: &out)
        TurnoverJSON.appendWindowFields(start: windowStart, end: windowEnd, currency: key, totals: value.totals, to: &out)
        JSONWriter.appendRaw(",\"revision\":", to: &out)
        JSONWriter.appendInt(revision, to: &out)
        JSONWriter.appendRaw(",\"stores\":", to: &out)
        JSONWriter.appendInt(value.stores, to: &out)
        JSONWriter.appendRaw("}\n", to: &out)
    }
}

enum TurnoverJSON {
    static func appendWindowFields(start: Int64, end: Int64, currency: Currency, totals: TurnoverTotals, to out: inout [UInt8]) {
        JSONWriter.appendRaw(",\"window_start\":", to: &out)
        JSONWriter.appendInt(start, to: &out)
        JSONWriter.appendRaw(",\"window_end\":", to: &out)
        JSONWriter.appendInt(end, to: &out)
        JSONWriter.appendRaw(",\"currency\":\"", to: &out)
        JSONWriter.appendRaw(currency.codeText, to: &out)
        JSONWriter.appendRaw("\"", to: &out)
        JSONWriter.appendRaw(",\"sales_minor\":", to: &out)
        JSONWriter.appendInt(totals.salesMinor, to: &out)
        JSONWriter.appendRaw(",\"refunds_minor\":", to: &out)
        JSONWriter.appendInt(totals.refundsMinor, to: &out)
        JSONWriter.appendRaw(",\"turnover_minor\":", to: &out)
        JSONWriter.appendInt(totals.turnoverMinor, to: &out)
        JSONWriter.appendRaw(",\"tx_count\":", to: &out)
        JSONWriter.appendInt(totals.txCount, to: &out)
        JSONWriter.appendRaw(",\"items_sold\":", to: &out)
        JSONWriter.appendInt(totals.itemsSold, to: &out)
    }
}
