/// What keeping one state in RocksDB has cost so far, counted in entries rather than
/// seconds, so that tests can say how the work grows (a watermark advance must cost what
/// expired, not what is cached or stored: issue 15).
public struct RocksDBStateWork: Sendable, Equatable {
    /// Write-back flushes (`WriteBackCache.flush`).
    public var flushes = 0
    /// Cached slots the flushes looked at.
    public var slotsVisited = 0
    /// Keys the flushes wrote: puts, deletes and TTL index keys.
    public var entriesWritten = 0
    /// Sweeps of the TTL index (`ValueState`'s expiry deletion).
    public var sweeps = 0
    /// TTL index keys the sweeps read, the one that ends a sweep included.
    public var indexKeysVisited = 0
    /// Entries the sweeps deleted.
    public var entriesExpired = 0

    public init() {}
}
