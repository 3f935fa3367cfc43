#if canImport(Glibc)
import Glibc
#endif

/// Asks the kernel to back a large, randomly probed memory region with huge pages
/// (`madvise(MADV_HUGEPAGE)`): on Linux with transparent huge pages in `madvise` mode
/// (Debian's default), regions are otherwise backed by 4 KiB pages, and a random probe
/// into tens of MiB misses the TLB on top of the cache. Only the region's whole pages
/// are advised; small regions and other systems are left alone. Advice, not a promise:
/// a kernel with huge pages off ignores it, and nothing depends on it but speed.
enum HugePages {
    /// Regions smaller than this are not worth a huge page.
    static let threshold = 4 << 20

    static func advise(_ start: UnsafeMutableRawPointer, bytes: Int) {
        #if os(Linux)
        guard bytes >= threshold else { return }
        let page = 4096
        let first = (Int(bitPattern: start) + page - 1) & ~(page - 1)
        let end = (Int(bitPattern: start) + bytes) & ~(page - 1)
        guard end > first, let aligned = UnsafeMutableRawPointer(bitPattern: first) else { return }
        _ = madvise(aligned, end - first, MADV_HUGEPAGE)
        #endif
    }
}
