/// A state key that carries a 64-bit fingerprint of its fields, made once when the key
/// is made: hash tables hash only the fingerprint (mixed with the table's seed), without
/// seeding a `Hasher` or reading the key's strings again on every lookup or resize.
/// Equality stays the type's own and must compare the fields (fingerprints may collide).
public protocol FingerprintedKey: StateKey {
    var fingerprint: UInt64 { get }
}

extension FingerprintedKey {
    @inlinable
    public func hash(into hasher: inout Hasher) {
        hasher.combine(fingerprint)
    }

    /// The hash tables' entry point, answered from the fingerprint (Hasher seeding and
    /// SipHash per lookup were ~10% of a turnover run). The seed, which differs per table,
    /// is mixed in so that tables do not share a layout.
    @inlinable
    public func _rawHashValue(seed: Int) -> Int {
        StateHashing.mix(fingerprint, seed: seed)
    }
}
