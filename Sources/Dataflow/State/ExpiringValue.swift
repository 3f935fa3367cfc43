/// A value state's entry as either storage keeps it: the value and the event time at
/// which the entry stops existing (`Int64.max` for never).
@usableFromInline
struct ExpiringValue<Value> {
    @usableFromInline var value: Value
    @usableFromInline var expiresAt: Int64

    @usableFromInline init(value: Value, expiresAt: Int64) {
        self.value = value
        self.expiresAt = expiresAt
    }
}

/// What a value state judges its entries by, in either storage: its watermark (an entry
/// whose expiry it has reached reads as absent) and its promise about expiries.
@usableFromInline
struct ExpiryRules {
    @usableFromInline var watermark = Watermark.initial
    @usableFromInline var order = ExpiryOrder.any
    /// "state 'seen' of operator 'dedup'", for errors.
    @usableFromInline let stateLabel: String

    @usableFromInline init(stateLabel: String) { self.stateLabel = stateLabel }

    /// `Int64.max` is "never", even at the end of input's watermark.
    @inlinable
    func hasExpired(_ expiresAt: Int64) -> Bool {
        expiresAt != .max && watermark.hasReached(expiresAt)
    }

    /// Refuses a put that would give the live entry `live` an earlier expiry in a
    /// growing state (its older version could outlive a dropped newer one in RocksDB).
    @inlinable
    func checkOrder<Value>(live: ExpiringValue<Value>?, putting expiresAt: Int64) throws {
        guard order == .growing, let live, !hasExpired(live.expiresAt), live.expiresAt > expiresAt else { return }
        throw StateBackendError("\(stateLabel) expects growing expiries, "
            + "but an entry expiring at \(live.expiresAt) was put again expiring at \(expiresAt)")
    }
}
