/// What a value state promises about the expiries of its entries, which decides how a
/// RocksDB backend deletes expired ones. Reads are the same either way: an entry whose
/// expiry the watermark has reached reads as absent, exactly.
public enum ExpiryOrder: Sendable {
    /// Any expiry on any put. RocksDB keeps an expiry index beside the entries and
    /// deletes each entry as the watermark passes its expiry.
    case any
    /// A put never gives a live entry an earlier expiry than it has (dedup's keys: put
    /// once, with an expiry, and again only once expired). RocksDB then needs no expiry
    /// index: its compactions drop expired entries (`CompactionExpiry`), so a new entry
    /// is one write instead of two. A put that would break the promise is refused.
    case growing
}
