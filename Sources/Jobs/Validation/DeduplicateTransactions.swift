import Dataflow
import Operators

/// The dedup rule of spec section 0: an accepted transaction's (store, tx id) is
/// remembered until the watermark reaches its event time plus the horizon; a valid
/// transaction whose key is remembered is a `duplicate` dead letter.
///
/// Run with a `WatermarkAssignment` on its output, so that the watermark it judges by
/// is the validation stage's: over the transactions it accepted. A key is state that
/// expires at its first event time + horizon, and state reads judge expiry against the
/// watermark before the record, so "remembered" is exactly "watermark before the record
/// < first event time + horizon"; expired keys are deleted in bulk (no timer per key).
/// Rejected records are not remembered, so a corrected resend is accepted.
public struct DeduplicateTransactions: KeyedProcessFunction {
    public typealias Key = TransactionKey
    public typealias Input = Transaction
    public typealias Output = Transaction
    public typealias Side = DeadLetter

    public let horizonMs: Int64
    var seen: ValueState<TransactionKey, NoNamespace, Int64>!

    public init(horizonMs: Int64) {
        self.horizonMs = horizonMs
    }

    public mutating func open(_ state: StateScope) throws {
        // A key is put only while absent or expired, so its expiries only grow.
        seen = try state.valueState("seen", expiries: .growing)
    }

    public mutating func processElement(_ tx: Transaction, key: TransactionKey, context: ProcessContext<Self>) throws {
        let (expiry, overflow) = tx.eventTime.addingReportingOverflow(horizonMs)
        if let firstSeen = try seen.putIfAbsent(key, NoNamespace(), tx.eventTime, expiringAt: overflow ? .max : expiry) {
            context.emitSide(DeadLetter(
                Rejection(.duplicate, field: "tx_id",
                          detail: "store \(key.storeID) already has tx_id \(key.txID) (event_time \(firstSeen))"),
                origin: tx.origin))
            return
        }
        context.emit(tx)
    }
}
