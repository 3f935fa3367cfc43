import Dataflow
import Operators

/// The dedup rule of spec section 0: an accepted transaction's (store, tx id) is
/// remembered until the watermark reaches its event time plus the horizon; a valid
/// transaction whose key is remembered is a `duplicate` dead letter.
///
/// Run with a `WatermarkAssignment` on its output, so that the watermark it judges by
/// is the validation stage's: over the transactions it accepted. Expiry is a timer,
/// and due timers fire before the next record is judged, so "remembered" is exactly
/// "watermark before the record < first event time + horizon". Rejected records are
/// not remembered, so a corrected resend is accepted.
public struct DeduplicateTransactions: KeyedProcessFunction {
    public typealias Key = TransactionKey
    public typealias Input = Transaction
    public typealias Output = Transaction
    public typealias Side = DeadLetter

    public let horizonMs: Int64
    var seen: (any KeyedValueTable<TransactionKey, NoNamespace, Int64>)!

    public init(horizonMs: Int64) {
        self.horizonMs = horizonMs
    }

    public mutating func open(_ state: StateScope) throws {
        seen = try state.valueTable("seen")
    }

    public mutating func processElement(_ tx: Transaction, key: TransactionKey, context: ProcessContext<Self>) throws {
        if let firstSeen = try seen.get(key, NoNamespace()) {
            context.emitSide(DeadLetter(
                Rejection(.duplicate, field: "tx_id",
                          detail: "store \(key.storeID) already has tx_id \(key.txID) (event_time \(firstSeen))"),
                origin: tx.origin))
            return
        }
        try seen.put(key, NoNamespace(), tx.eventTime)
        let (expiry, overflow) = tx.eventTime.addingReportingOverflow(horizonMs)
        context.registerTimer(at: overflow ? .max : expiry, key: key)
        context.emit(tx)
    }

    public mutating func onTimer(_ time: Int64, key: TransactionKey, scope: NoNamespace, context: ProcessContext<Self>) throws {
        try seen.remove(key, NoNamespace())
    }
}
