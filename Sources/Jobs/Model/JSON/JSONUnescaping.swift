/// Decoding the backslash escapes of JSON string content that a `JSONScanner` has
/// validated (so every escape is well-formed and every surrogate escape is paired).
enum JSONUnescaping {
    /// Calls `body` with each byte of the UTF-8 text that the escaped content
    /// `bytes[start ..< end]` stands for, until `body` returns `false`.
    /// Returns `false` when `body` stopped early.
    @inline(__always)
    static func forEachByte(in bytes: UnsafeRawBufferPointer, from start: Int, to end: Int,
                            _ body: (UInt8) -> Bool) -> Bool {
        var i = start
        while i < end {
            let b = bytes[i]
            if b != UInt8(ascii: "\\") {
                guard body(b) else { return false }
                i &+= 1
                continue
            }
            let e = bytes[i &+ 1]
            i &+= 2
            let decoded: UInt8
            switch e {
            case UInt8(ascii: "b"): decoded = 0x08
            case UInt8(ascii: "f"): decoded = 0x0C
            case UInt8(ascii: "n"): decoded = 0x0A
            case UInt8(ascii: "r"): decoded = 0x0D
            case UInt8(ascii: "t"): decoded = 0x09
            case UInt8(ascii: "u"):
                var scalar = UInt32(hex4(bytes, at: i))
                i &+= 4
                if scalar & 0xFC00 == 0xD800 {  // a high surrogate; the scanner checked that `\uDC00...` follows
                    let low = UInt32(hex4(bytes, at: i &+ 2))
                    i &+= 6
                    scalar = 0x10000 &+ ((scalar &- 0xD800) << 10) &+ (low &- 0xDC00)
                }
                guard encodeUTF8(scalar, body) else { return false }
                continue
            default: decoded = e  // `"`, `\`, `/`
            }
            guard body(decoded) else { return false }
        }
        return true
    }

    /// The UTF-8 bytes that the escaped content `bytes[start ..< end]` stands for.
    static func unescaped(_ bytes: UnsafeRawBufferPointer, from start: Int, to end: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(end - start)
        _ = forEachByte(in: bytes, from: start, to: end) { out.append($0); return true }
        return out
    }

    /// The value of the four hexadecimal digits at `i`, or `nil` if they are not all hex digits.
    @inline(__always)
    static func hex4Checked(_ bytes: UnsafeRawBufferPointer, at i: Int) -> UInt16? {
        guard i &+ 4 <= bytes.count else { return nil }
        var value: UInt16 = 0
        for k in 0 ..< 4 {
            let c = bytes[i &+ k]
            let digit: UInt8
            switch c {
            case UInt8(ascii: "0") ... UInt8(ascii: "9"): digit = c &- UInt8(ascii: "0")
            case UInt8(ascii: "a") ... UInt8(ascii: "f"): digit = c &- UInt8(ascii: "a") &+ 10
            case UInt8(ascii: "A") ... UInt8(ascii: "F"): digit = c &- UInt8(ascii: "A") &+ 10
            default: return nil
            }
            value = value << 4 | UInt16(digit)
        }
        return value
    }

    @inline(__always)
    private static func hex4(_ bytes: UnsafeRawBufferPointer, at i: Int) -> UInt16 {
        hex4Checked(bytes, at: i) ?? 0
    }

    @inline(__always)
    private static func encodeUTF8(_ scalar: UInt32, _ body: (UInt8) -> Bool) -> Bool {
        switch scalar {
        case 0 ..< 0x80:
            return body(UInt8(scalar))
        case 0x80 ..< 0x800:
            return body(UInt8(0xC0 | scalar >> 6)) && body(UInt8(0x80 | scalar & 0x3F))
        case 0x800 ..< 0x10000:
            return body(UInt8(0xE0 | scalar >> 12)) && body(UInt8(0x80 | scalar >> 6 & 0x3F))
                && body(UInt8(0x80 | scalar & 0x3F))
        default:
            return body(UInt8(0xF0 | scalar >> 18)) && body(UInt8(0x80 | scalar >> 12 & 0x3F))
                && body(UInt8(0x80 | scalar >> 6 & 0x3F)) && body(UInt8(0x80 | scalar & 0x3F))
        }
    }
}
