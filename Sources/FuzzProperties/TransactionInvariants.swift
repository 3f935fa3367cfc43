import Jobs

/// What every accepted transaction keeps, however it was written (records.md section 1):
/// an event time in range; in JSON, items with quantities in range and a total that is
/// their sum (a mismatching total was corrected or the line rejected); in CSV, which
/// carries no items, an item count of at least 0.
enum TransactionInvariants {
    static func hold(for transaction: Transaction) {
        precondition(TransactionRules.eventTimes.contains(transaction.eventTime), "event time out of range: \(transaction.eventTime)")
        precondition(!transaction.txID.isEmpty && !transaction.storeID.isEmpty, "an empty identifier")
        if let itemCount = transaction.itemCount {
            precondition(transaction.items.isEmpty && itemCount >= 0, "a negative CSV item count")
            return
        }
        precondition(!transaction.items.isEmpty, "a transaction without items")
        precondition(transaction.items.allSatisfy { TransactionRules.quantity.contains($0.qty) }, "a quantity out of range")
        precondition(transaction.totalMinor == transaction.items.reduce(0) { $0 + $1.qty * $1.unitPriceMinor },
                     "the total is not the sum of the items")
    }
}
