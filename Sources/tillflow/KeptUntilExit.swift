/// What a finished command leaves to the kernel instead of freeing: a replay's in-memory
/// state (a dedup table of millions of entries, each with strings) took about a tenth of
/// a whole `replay turnover` run to free entry by entry at its end, and the kernel drops
/// the pages at exit at once. RocksDB state is not kept: it is closed normally, so that
/// its background threads stop before the process ends.
enum KeptUntilExit {
    nonisolated(unsafe) static var objects: [AnyObject] = []
}
