/// The address of one entry of keyed state in the process: its key and what is below the
/// key (a value state's namespace, a map state's user key), as `StateKeyLayout` orders
/// them in bytes.
@usableFromInline
struct StateEntry<Key: Hashable, Namespace: Hashable>: Hashable {
    @usableFromInline var key: Key
    @usableFromInline var namespace: Namespace

    @usableFromInline init(key: Key, namespace: Namespace) {
        self.key = key
        self.namespace = namespace
    }

    /// Chains the parts' own raw hashes, so that a key with a fast hash (a fingerprint)
    /// keeps it inside the entry.
    @inlinable
    func _rawHashValue(seed: Int) -> Int {
        key._rawHashValue(seed: namespace._rawHashValue(seed: seed))
    }
}
