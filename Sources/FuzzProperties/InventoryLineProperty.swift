import Jobs

/// The inventory job's mixed lines: each is a transaction (left to the POS decoder, which
/// must then give a verdict too), an inventory event, or a rejection with a detail.
public enum InventoryLineProperty {
    public static func check(_ bytes: UnsafeRawBufferPointer) {
        let decoder = InventoryLineDecoder()
        let transactions = TransactionDecoder(totalMismatch: .correct)
        for (index, line) in RecordLines.of(bytes).enumerated() {
            let origin = RecordLines.origin(line, index: index)
            switch decoder.decode(origin: origin, fullLength: line.count) {
            case .transaction:
                if case .success(let transaction) = transactions.decodeJSON(origin: origin, fullLength: line.count) {
                    TransactionInvariants.hold(for: transaction)
                }
            case .event(let event):
                precondition(TransactionRules.eventTimes.contains(event.eventTime), "event time out of range: \(event.eventTime)")
            case .rejected(let rejection):
                precondition(!rejection.detail.isEmpty, "a rejection without a detail: \(rejection)")
            }
        }
    }
}
