#if canImport(Glibc)
import Glibc
#endif

/// glibc's allocator gives threads arenas of their own (up to 8 per core), and memory
/// freed by another thread than the one that allocated it goes back to the allocating
/// thread's arena: with decoding workers allocating the records that the job's other
/// threads free, each arena grew to hold its own peak. Two arenas measured the same
/// speed and 60 MiB less peak RSS on a parallelism-2 RocksDB run of 1M transactions
/// (246-250 MiB against 308 MiB), so every process that runs jobs uses two.
public enum MallocArenas {
    public static func limit() {
        #if canImport(Glibc)
        // `mallopt` and `M_ARENA_MAX` (-8, malloc.h) are not in Swift's Glibc module.
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        _ = unsafeBitCast(symbol, to: Mallopt.self)(-8, 2)
        #endif
    }
}
