/// Well-formed UTF-8, as the Unicode Standard defines it (chapter 3, table 3-7):
/// no overlong forms, no encoded surrogates (U+D800...U+DFFF), nothing above
/// U+10FFFF, no truncated sequence. This is what `bad_encoding` (spec section 0) tests.
public enum UTF8Validation {
    /// The offset of the first byte that does not start a well-formed sequence, or
    /// `nil` when all of `bytes` is well-formed UTF-8.
    ///
    /// - Complexity: O(n); ASCII runs are checked eight bytes at a time.
    @inlinable
    public static func firstInvalidOffset(in bytes: UnsafeRawBufferPointer) -> Int? {
        let n = bytes.count
        var i = 0
        while i < n {
            while i &+ 8 <= n {
                let word = bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                if word & 0x8080_8080_8080_8080 != 0 { break }
                i &+= 8
            }
            guard i < n else { return nil }
            if bytes[i] < 0x80 { i &+= 1; continue }
            let length = multiByteSequenceLength(in: bytes, at: i)
            if length == 0 { return i }
            i &+= length
        }
        return nil
    }

    /// Whether all of `bytes` is well-formed UTF-8.
    @inlinable
    public static func isValid(_ bytes: UnsafeRawBufferPointer) -> Bool {
        firstInvalidOffset(in: bytes) == nil
    }

    /// The length (2...4) of the well-formed sequence whose lead byte, at `i`, is
    /// 0x80 or above; 0 when it is not well-formed (a stray continuation byte, an
    /// invalid lead byte, a bad or missing continuation byte).
    @inlinable @inline(__always)
    public static func multiByteSequenceLength(in bytes: UnsafeRawBufferPointer, at i: Int) -> Int {
        let n = bytes.count
        @inline(__always) func byte(_ k: Int) -> UInt8 { i &+ k < n ? bytes[i &+ k] : 0 }
        @inline(__always) func isContinuation(_ b: UInt8) -> Bool { b & 0xC0 == 0x80 }
        let lead = bytes[i]
        switch lead {
        case 0xC2 ... 0xDF:
            return isContinuation(byte(1)) ? 2 : 0
        case 0xE0:
            return (0xA0 ... 0xBF).contains(byte(1)) && isContinuation(byte(2)) ? 3 : 0
        case 0xE1 ... 0xEC, 0xEE ... 0xEF:
            return isContinuation(byte(1)) && isContinuation(byte(2)) ? 3 : 0
        case 0xED:  // U+D000...U+D7FF: beyond 0x9F the sequence would encode a surrogate
            return (0x80 ... 0x9F).contains(byte(1)) && isContinuation(byte(2)) ? 3 : 0
        case 0xF0:
            return (0x90 ... 0xBF).contains(byte(1)) && isContinuation(byte(2)) && isContinuation(byte(3)) ? 4 : 0
        case 0xF1 ... 0xF3:
            return isContinuation(byte(1)) && isContinuation(byte(2)) && isContinuation(byte(3)) ? 4 : 0
        case 0xF4:  // up to U+10FFFF
            return (0x80 ... 0x8F).contains(byte(1)) && isContinuation(byte(2)) && isContinuation(byte(3)) ? 4 : 0
        default:
            return 0
        }
    }

    /// The number of Unicode code points in well-formed UTF-8: the bytes that are
    /// not continuation bytes.
    @inlinable
    public static func codePointCount(_ bytes: UnsafeRawBufferPointer) -> Int {
        var count = 0
        for b in bytes where b & 0xC0 != 0x80 { count &+= 1 }
        return count
    }
}
