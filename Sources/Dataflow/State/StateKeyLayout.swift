/// The byte layout of a keyed-state entry's key in a byte-oriented backend (RocksDB, snapshots):
///
///     key group (UInt16, big-endian) | operator id | state name | key | namespace
///
/// with operator id and state name as length-prefixed UTF-8 and key and namespace in
/// the state codec. The key group comes first so that a key-group range is one
/// contiguous scan; operator id and state name follow so that one operator's state
/// can be found, moved or dropped without touching the others.
public enum StateKeyLayout {
    public static func encode<K: StateKey, N: StateCodable>(
        operator: OperatorID, state: String, key: K, namespace: N
    ) -> [UInt8] {
        var writer = StateWriter(capacity: 64)
        write(operator: `operator`, state: state, key: key, namespace: namespace, to: &writer)
        return writer.bytes
    }

    /// Appends an entry's key to `writer`. The key group is hashed from the key's bytes
    /// where they land in `writer` and written into the two bytes left for it: no
    /// encoding of the key of its own (an allocation per entry written).
    @inlinable
    public static func write<K: StateKey, N: StateCodable>(
        operator: OperatorID, state: String, key: K, namespace: N, to writer: inout StateWriter
    ) {
        let groupAt = writer.bytes.count
        writer.write(UInt16(0))
        writer.write(`operator`.name)
        writer.write(state)
        let keyAt = writer.bytes.count
        key.encode(to: &writer)
        let group = writer.bytes.withUnsafeBytes { KeyGroup(ofKeyBytes: UnsafeRawBufferPointer(rebasing: $0[keyAt...])).index }
        writer.bytes[groupAt] = UInt8(truncatingIfNeeded: group >> 8)
        writer.bytes[groupAt + 1] = UInt8(truncatingIfNeeded: group)
        namespace.encode(to: &writer)
    }

    /// Appends the TTL index key of the entry whose key `entry` writes (see `expiryIndexKey`).
    @inlinable
    public static func writeExpiryIndexKey(operator: OperatorID, state: String, expiresAt: Int64,
                                           entry: (inout StateWriter) -> Void, to writer: inout StateWriter) {
        writer.write(indexMarker)
        writer.write(`operator`.name)
        writer.write(state)
        writer.write(expiresAt)
        entry(&writer)
    }

    /// The common prefix of every entry of one state of one operator in one key group.
    public static func prefix(group: KeyGroup, operator: OperatorID, state: String) -> [UInt8] {
        var writer = StateWriter(capacity: 32)
        writer.write(group.index)
        writer.write(`operator`.name)
        writer.write(state)
        return writer.bytes
    }

    /// The first byte of keys that are not entries (the TTL index); entries start with a
    /// key group, whose first byte is below 0x10.
    public static let indexMarker: UInt8 = 0xFF

    /// The key of an entry of the event-time TTL index: it sorts by expiry, so the
    /// entries due at a watermark are one scan from the start of the state's index.
    public static func expiryIndexKey(operator: OperatorID, state: String, expiresAt: Int64, entry: [UInt8]) -> [UInt8] {
        var writer = StateWriter(capacity: 32 + entry.count)
        writer.write(indexMarker)
        writer.write(`operator`.name)
        writer.write(state)
        writer.write(expiresAt)
        writer.bytes.append(contentsOf: entry)
        return writer.bytes
    }

    public static func expiryIndexPrefix(operator: OperatorID, state: String) -> [UInt8] {
        var writer = StateWriter(capacity: 32)
        writer.write(indexMarker)
        writer.write(`operator`.name)
        writer.write(state)
        return writer.bytes
    }

    /// Splits an encoded entry key back into its parts.
    public static func decode<K: StateKey, N: StateCodable>(
        _ bytes: [UInt8], key: K.Type, namespace: N.Type
    ) throws -> (group: KeyGroup, operator: OperatorID, state: String, key: K, namespace: N) {
        var reader = StateReader(bytes)
        let group = KeyGroup(index: try reader.readUInt16())
        let op = OperatorID(try reader.readString())
        let state = try reader.readString()
        let k = try K.decode(from: &reader)
        let n = try N.decode(from: &reader)
        guard reader.isAtEnd else { throw StateDecodingError("trailing bytes after state key") }
        return (group, op, state, k, n)
    }
}
