/// FNV-1a, 64 bit, over a key's stable byte encoding.
///
/// Keys are partitioned by this fixed, documented hash, never by Swift's `Hasher`,
/// which is seeded differently in every process: a key must land in the same key
/// group in every run, on every machine, at every parallelism.
public enum KeyHash {
    public static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    public static let prime: UInt64 = 0x0000_0100_0000_01B3

    @inlinable
    public static func fnv1a(_ bytes: UnsafeRawBufferPointer, seed: UInt64 = offsetBasis) -> UInt64 {
        var h = seed
        for b in bytes {
            h ^= UInt64(b)
            h &*= prime
        }
        return h
    }

    @inlinable
    public static func fnv1a(_ bytes: [UInt8]) -> UInt64 {
        bytes.withUnsafeBytes { fnv1a($0) }
    }
}
