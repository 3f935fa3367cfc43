import Dataflow
import Jobs

extension TransactionDraft {
    /// The header line of the flat CSV form (spec section 1), without `\n`.
    static let csvHeader: StaticString = "tx_id,store_id,terminal_id,event_time_ms,kind,currency,total_minor,item_count"

    /// Appends the draft as a CSV row in the header's column order (without `\n`),
    /// breaking the one rule `fault` names. A CSV row keeps no items: `total_minor` is
    /// the items' sum and `item_count` the sum of their quantities. An empty cell is an
    /// absent field: a sale that leaves out its kind has an empty `kind` cell.
    func appendCSV(store: StoreProfile, fault: RecordFault, to out: inout [UInt8]) {
        var cells = 0
        func separator(_ out: inout [UInt8]) {
            if cells > 0 { out.append(UInt8(ascii: ",")) }
            cells += 1
        }
        /// Writes a cell, or leaves it empty when the fault says the field is missing, or
        /// writes the fault's text instead when it replaces the field.
        func cell(_ f: RecordFault.Field, _ out: inout [UInt8], _ value: (inout [UInt8]) -> Void) {
            separator(&out)
            if fault.field == f {
                switch fault.kind {
                case .missing: return
                case .wrongType, .currencyCode, .invalidUTF8: out.append(contentsOf: fault.text); return
                case .eventTime: JSONWriter.appendInt(fault.value, to: &out); return
                default: break
                }
            }
            value(&out)
        }

        if fault.kind == .brokenQuote { out.append(UInt8(ascii: "\"")) }
        cell(.txID, &out) { out in
            out.append(contentsOf: store.txPrefixes[terminal])
            GeneratorText.appendPadded(counter, width: 6, to: &out)
        }
        cell(.storeID, &out) { out in GeneratorText.appendCSVCell(store.id, to: &out) }
        cell(.terminalID, &out) { out in GeneratorText.appendCSVCell(store.terminalIDs[terminal], to: &out) }
        cell(.eventTime, &out) { out in JSONWriter.appendInt(eventTime, to: &out) }
        cell(.kind, &out) { out in
            if writesKind { JSONWriter.appendRaw(kind == .sale ? "sale" : "refund", to: &out) }
        }
        cell(.currency, &out) { out in JSONWriter.appendRaw(currency.codeText, to: &out) }
        cell(.total, &out) { out in JSONWriter.appendInt(total, to: &out) }
        let dropsLastCell = fault.kind == .cellCount && fault.variant % 2 == 0
        if !dropsLastCell {
            cell(.itemCount, &out) { out in JSONWriter.appendInt(totalQuantity, to: &out) }
        }
        if fault.kind == .cellCount && fault.variant % 2 == 1 {
            JSONWriter.appendRaw(",extra", to: &out)
        }
    }
}
