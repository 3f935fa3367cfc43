/// Step 2 of reading a record: the values of a text that `scan(schema:members:elements:)`
/// accepted. Nothing here validates again: on text that did not pass step 1 these
/// would return nonsense and could read past the buffer (bounds are only checked in
/// debug builds), so never call them on unchecked text.
extension JSONScanner {
    /// The bytes of a token as written: a number's literal, a string with its quotes.
    @inline(__always)
    public func text(of token: JSONToken) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[token.start ..< token.end])
    }

    /// Calls `body` with the UTF-8 bytes a string token stands for: its content in
    /// place when it holds no escape (no copy), else an unescaped copy.
    @inline(__always)
    public func withStringBytes<R>(_ token: JSONToken, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        let range = token.contentRange
        if !token.isEscaped { return body(UnsafeRawBufferPointer(rebasing: bytes[range])) }
        let unescaped = JSONUnescaping.unescaped(bytes, from: range.lowerBound, to: range.upperBound)
        return unescaped.withUnsafeBytes(body)
    }

    /// The text a string token stands for, unescaped.
    public func string(_ token: JSONToken) -> String {
        withStringBytes(token) { String(decoding: $0, as: UTF8.self) }
    }

    /// The number of Unicode code points of the text a string token stands for.
    public func codePointCount(ofString token: JSONToken) -> Int {
        let range = token.contentRange
        if !token.isEscaped { return UTF8Validation.codePointCount(UnsafeRawBufferPointer(rebasing: bytes[range])) }
        var count = 0
        _ = JSONUnescaping.forEachByte(in: bytes, from: range.lowerBound, to: range.upperBound) { b in
            if b & 0xC0 != 0x80 { count &+= 1 }
            return true
        }
        return count
    }

    /// A number token read as an integer literal, exactly: `2.0` and `1e2` are not
    /// integers, and a literal beyond `Int64` is reported as such.
    public func integer(_ token: JSONToken) -> IntegerLiteral {
        guard token.kind == .number else { return .notAnInteger }
        return IntegerLiteral(text(of: token))
    }

    /// The index in `set` of the name a key token stands for (compared after unescaping).
    @inline(__always)
    public func index(ofKey key: JSONToken, in set: JSONKeySet) -> Int? {
        set.index(ofKey: key, in: bytes)
    }

    /// The elements of an array token, in order.
    public func elements(of array: JSONToken) -> JSONArrayElements {
        precondition(array.kind == .array)
        return JSONArrayElements(scanner: self, position: array.start &+ 1)
    }

    /// The members of an object token, in order (repeated names included).
    public func members(of object: JSONToken) -> JSONObjectMembers {
        precondition(object.kind == .object)
        return JSONObjectMembers(scanner: self, position: object.start &+ 1)
    }

    // MARK: - Skipping over checked text

    /// The token of the value that starts at `i`.
    @inline(__always)
    func token(at i: Int) -> JSONToken {
        let b = bytes[i]
        switch b {
        case UInt8(ascii: "\""):
            let (end, escaped) = skipString(from: i)
            return JSONToken(kind: .string, isEscaped: escaped, start: i, end: end)
        case UInt8(ascii: "{"):
            return JSONToken(kind: .object, start: i, end: skipContainer(from: i))
        case UInt8(ascii: "["):
            return JSONToken(kind: .array, start: i, end: skipContainer(from: i))
        case UInt8(ascii: "t"):
            return JSONToken(kind: .true, start: i, end: i &+ 4)
        case UInt8(ascii: "f"):
            return JSONToken(kind: .false, start: i, end: i &+ 5)
        case UInt8(ascii: "n"):
            return JSONToken(kind: .null, start: i, end: i &+ 4)
        default:
            var j = i &+ 1
            let n = bytes.count
            while j < n {
                switch bytes[j] {
                case UInt8(ascii: "0") ... UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"),
                     UInt8(ascii: "+"), UInt8(ascii: "-"):
                    j &+= 1
                default:
                    return JSONToken(kind: .number, start: i, end: j)
                }
            }
            return JSONToken(kind: .number, start: i, end: j)
        }
    }

    /// The offset past the closing quote of the string whose opening quote is at `start`.
    @inline(__always)
    func skipString(from start: Int) -> (end: Int, escaped: Bool) {
        let n = bytes.count
        let ones: UInt64 = 0x0101_0101_0101_0101
        var j = start &+ 1
        var escaped = false
        while true {
            while j &+ 8 <= n {
                let word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: j, as: UInt64.self))
                let quote = word ^ (ones &* 0x22), backslash = word ^ (ones &* 0x5C)
                let mask = ((quote &- ones) & ~quote | (backslash &- ones) & ~backslash) & (ones &* 0x80)
                if mask != 0 {
                    j &+= mask.trailingZeroBitCount >> 3
                    break
                }
                j &+= 8
            }
            let b = bytes[j]
            if b == UInt8(ascii: "\"") { return (j &+ 1, escaped) }
            if b == UInt8(ascii: "\\") {
                escaped = true
                j &+= 2
            } else {
                j &+= 1
            }
        }
    }

    /// The offset past the `}` or `]` that closes the container opened at `start`.
    func skipContainer(from start: Int) -> Int {
        var depth = 0
        var j = start
        while true {
            switch bytes[j] {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth &+= 1
                j &+= 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth &-= 1
                j &+= 1
                if depth == 0 { return j }
            case UInt8(ascii: "\""):
                j = skipString(from: j).end
            default:
                j &+= 1
            }
        }
    }
}

/// The elements of a checked JSON array, read lazily.
public struct JSONArrayElements: IteratorProtocol, Sequence {
    let scanner: JSONScanner
    var position: Int

    @inline(__always)
    public mutating func next() -> JSONToken? {
        var i = scanner.skipWhitespace(from: position)
        switch scanner.bytes[i] {
        case UInt8(ascii: "]"): return nil
        case UInt8(ascii: ","): i = scanner.skipWhitespace(from: i &+ 1)
        default: break
        }
        let element = scanner.token(at: i)
        position = element.end
        return element
    }
}

/// The members of a checked JSON object, read lazily.
public struct JSONObjectMembers: IteratorProtocol, Sequence {
    let scanner: JSONScanner
    var position: Int

    @inline(__always)
    public mutating func next() -> JSONMember? {
        var i = scanner.skipWhitespace(from: position)
        switch scanner.bytes[i] {
        case UInt8(ascii: "}"): return nil
        case UInt8(ascii: ","): i = scanner.skipWhitespace(from: i &+ 1)
        default: break
        }
        let (keyEnd, escaped) = scanner.skipString(from: i)
        let key = JSONToken(kind: .string, isEscaped: escaped, start: i, end: keyEnd)
        let colon = scanner.skipWhitespace(from: keyEnd)
        let value = scanner.token(at: scanner.skipWhitespace(from: colon &+ 1))
        position = value.end
        return JSONMember(key: key, value: value)
    }
}
