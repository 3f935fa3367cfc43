import Dataflow

/// The canonical JSON forms of spec sections 2 and 3: fixed member order, no spaces,
/// one line each, so that two runs over the same input write identical bytes.
extension Transaction {
    /// Appends the validated form (spec section 2) as one line, with its `\n`:
    /// `tx_id, store_id, terminal_id, event_time, kind, currency, items`, then a CSV
    /// row's `item_count`, then `total_minor, corrected`, `original_total_minor` when
    /// corrected, and `late_by_ms` when given (a late record, spec section 4).
    public func writeJSON(into out: inout [UInt8], lateByMs: Int64? = nil) {
        JSONWriter.appendRaw("{\"tx_id\":", to: &out)
        JSONWriter.appendString(txID, to: &out)
        JSONWriter.appendRaw(",\"store_id\":", to: &out)
        JSONWriter.appendString(storeID, to: &out)
        JSONWriter.appendRaw(",\"terminal_id\":", to: &out)
        JSONWriter.appendString(terminalID, to: &out)
        JSONWriter.appendRaw(",\"event_time\":", to: &out)
        JSONWriter.appendInt(eventTime, to: &out)
        JSONWriter.appendRaw(kind == .sale ? ",\"kind\":\"sale\",\"currency\":\"" : ",\"kind\":\"refund\",\"currency\":\"", to: &out)
        var code = currency.code
        code.withUTF8 { out.append(contentsOf: $0) }
        JSONWriter.appendRaw("\",\"items\":[", to: &out)
        for (k, item) in items.enumerated() {
            JSONWriter.appendRaw(k == 0 ? "{\"sku\":" : ",{\"sku\":", to: &out)
            JSONWriter.appendString(item.sku, to: &out)
            JSONWriter.appendRaw(",\"qty\":", to: &out)
            JSONWriter.appendInt(item.qty, to: &out)
            JSONWriter.appendRaw(",\"unit_price_minor\":", to: &out)
            JSONWriter.appendInt(item.unitPriceMinor, to: &out)
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "]"))
        if let itemCount {
            JSONWriter.appendRaw(",\"item_count\":", to: &out)
            JSONWriter.appendInt(itemCount, to: &out)
        }
        JSONWriter.appendRaw(",\"total_minor\":", to: &out)
        JSONWriter.appendInt(totalMinor, to: &out)
        if let originalTotalMinor {
            JSONWriter.appendRaw(",\"corrected\":true,\"original_total_minor\":", to: &out)
            JSONWriter.appendInt(originalTotalMinor, to: &out)
        } else {
            JSONWriter.appendRaw(",\"corrected\":false", to: &out)
        }
        if let lateByMs {
            JSONWriter.appendRaw(",\"late_by_ms\":", to: &out)
            JSONWriter.appendInt(lateByMs, to: &out)
        }
        JSONWriter.appendRaw("}\n", to: &out)
    }
}
