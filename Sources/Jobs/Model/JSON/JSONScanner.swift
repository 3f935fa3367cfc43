/// A validating JSON reader over the bytes of one line, built for the decoders of
/// input records (transactions, inventory events).
///
/// Reading a record takes two steps:
///
/// 1. `scan(schema:members:elements:)` checks the whole text in a single pass (RFC
///    8259 syntax, UTF-8 inside strings, escapes and surrogate pairs, nesting
///    depth, nothing after the value) and, on the way, records where the value of
///    each known top-level member lies, and the same for the elements of the
///    schema's nested array, and rejects a known name repeated in one object.
///    Nothing is allocated.
/// 2. The caller then reads the values it needs from the recorded tokens:
///    `string(_:)`, `withStringBytes(_:_:)`, `integer(_:)`, `elements(of:)`,
///    `members(of:)`. These assume the text passed step 1 and do not check it again.
///
/// A scanner does not own its bytes: it is valid only while the buffer it was made
/// with is, and it is cheap to copy.
public struct JSONScanner {
    /// The deepest nesting accepted: the top-level object is depth 1, so an object
    /// may hold 63 more levels of nested objects and arrays (spec section 0).
    public static let maxDepth = 64

    public let bytes: UnsafeRawBufferPointer

    /// - Precondition: `bytes.count < 2^32` (tokens keep 32-bit offsets).
    @inline(__always)
    public init(_ bytes: UnsafeRawBufferPointer) {
        precondition(bytes.count < Int(UInt32.max), "JSONScanner reads texts under 4 GiB")
        self.bytes = bytes
    }

    /// What step 1 learned about the document besides the member tokens.
    public struct Summary: Sendable, Hashable {
        /// The document's value (an object for a record).
        public var root: JSONToken
        /// How many elements the schema's nested array holds, when that member is
        /// present and an array; 0 otherwise.
        public var nestedArrayCount: Int
        /// How many members the top-level object has (0 when the document is not an object).
        public var memberCount: Int
    }

    /// Validates the whole text as one JSON document and records, in `members[k]`,
    /// the value of the top-level object's member named `schema.topLevel.names[k]`
    /// (`nil` when absent or when the document is not an object).
    ///
    /// When the schema has a nested array and that member is an array, its elements
    /// are recorded in `elements`, `1 + schema.elementKeys.count` slots each (see
    /// `JSONSchema.elementSlots`): element `i`'s own token in slot `i * stride`, and,
    /// when it is an object, the value of its member named `elementKeys.names[k]` in
    /// slot `i * stride + 1 + k` (`nil` when absent). Elements beyond the buffer's
    /// capacity are checked but not recorded; `Summary.nestedArrayCount` tells how
    /// many there are. Member slots of an element that is not an object are left as
    /// they were.
    ///
    /// The checks: the JSON grammar everywhere (also inside values nobody reads),
    /// strings free of raw control characters and of invalid UTF-8, escapes valid
    /// and surrogate escapes paired, at most `maxDepth` levels of nesting, only
    /// whitespace after the value, no known name twice in the top-level object or in
    /// one element object of the schema's nested array.
    ///
    /// - Precondition: `members.count >= schema.topLevel.count`.
    /// - Complexity: O(n) in the length of the text, one pass.
    public func scan(schema: JSONSchema, members: UnsafeMutableBufferPointer<JSONToken?>,
                     elements: UnsafeMutableBufferPointer<JSONToken?> = .init(start: nil, count: 0))
        throws(JSONSyntaxError) -> Summary {
        precondition(members.count >= schema.topLevel.count)
        for k in 0 ..< schema.topLevel.count { members[k] = nil }
        let n = bytes.count
        let start = skipWhitespace(from: 0)
        guard start < n else { throw JSONSyntaxError(.empty, at: start) }
        var nestedCount = 0
        var memberCount = 0
        let end: Int
        var escaped = false
        switch bytes[start] {
        case UInt8(ascii: "{"):
            end = try scanRecordObject(at: start, schema: schema, members: members, elements: elements,
                                       nestedCount: &nestedCount, memberCount: &memberCount)
        case UInt8(ascii: "\""):
            (end, escaped) = try scanString(from: start)
        default:
            end = try scanValue(at: start, depth: 0)
        }
        let after = skipWhitespace(from: end)
        guard after == n else { throw JSONSyntaxError(.trailingCharacters, at: after) }
        return Summary(root: token(startingAt: start, end: end, escaped: escaped), nestedArrayCount: nestedCount,
                       memberCount: memberCount)
    }

    // MARK: - The record's own containers: members and elements are recorded

    /// The top-level object (depth 1): known members are recorded, checked for
    /// repeats, and the schema's nested array is read by `scanNestedArray`.
    private func scanRecordObject(at start: Int, schema: JSONSchema, members: UnsafeMutableBufferPointer<JSONToken?>,
                                  elements: UnsafeMutableBufferPointer<JSONToken?>,
                                  nestedCount: inout Int, memberCount: inout Int) throws(JSONSyntaxError) -> Int {
        let nestedIndex = schema.nestedArrayIndex ?? -1
        var seen: UInt32 = 0
        var expected = 0
        var i = try skipToContent(from: start &+ 1)
        if bytes[i] == UInt8(ascii: "}") { return i &+ 1 }
        while true {
            let keyStart = i
            memberCount &+= 1
            let (keyEnd, k) = try scanKey(at: i, in: schema.topLevel, expected: expected)
            if k >= 0 {
                let bit: UInt32 = 1 << UInt32(k)
                guard seen & bit == 0 else { throw JSONSyntaxError(.duplicateKey(schema.topLevel.names[k]), at: keyStart) }
                seen |= bit
                expected = k &+ 1
            }
            let valueStart = try skipColon(after: keyEnd)
            let end: Int
            var escaped = false
            switch bytes[valueStart] {
            case UInt8(ascii: "\""):
                (end, escaped) = try scanString(from: valueStart)
            case UInt8(ascii: "[") where k >= 0 && k == nestedIndex:
                (end, nestedCount) = try scanNestedArray(at: valueStart, schema: schema, elements: elements)
            default:
                end = try scanValue(at: valueStart, depth: 1)
            }
            if k >= 0 { members[k] = token(startingAt: valueStart, end: end, escaped: escaped) }
            i = try skipToContent(from: end)
            switch bytes[i] {
            case UInt8(ascii: ","): i = try skipToContent(from: i &+ 1)
            case UInt8(ascii: "}"): return i &+ 1
            case let b: throw JSONSyntaxError(.unexpectedByte(b), at: i)
            }
        }
    }

    /// The schema's nested array (depth 2): each element's token is recorded, and
    /// each element object is read by `scanElementObject`. Returns the end and the count.
    private func scanNestedArray(at start: Int, schema: JSONSchema,
                                 elements: UnsafeMutableBufferPointer<JSONToken?>) throws(JSONSyntaxError) -> (Int, Int) {
        let stride = schema.elementSlots
        let recorded = elements.count / stride
        var count = 0
        var i = try skipToContent(from: start &+ 1)
        if bytes[i] == UInt8(ascii: "]") { return (i &+ 1, 0) }
        while true {
            let slot = count < recorded ? count &* stride : -1
            let end: Int
            var escaped = false
            switch bytes[i] {
            case UInt8(ascii: "{"):
                end = try scanElementObject(at: i, keys: schema.elementKeys, elements: elements, slot: slot)
            case UInt8(ascii: "\""):
                (end, escaped) = try scanString(from: i)
            default:
                end = try scanValue(at: i, depth: 2)
            }
            if slot >= 0 { elements[slot] = token(startingAt: i, end: end, escaped: escaped) }
            count &+= 1
            i = try skipToContent(from: end)
            switch bytes[i] {
            case UInt8(ascii: ","): i = try skipToContent(from: i &+ 1)
            case UInt8(ascii: "]"): return (i &+ 1, count)
            case let b: throw JSONSyntaxError(.unexpectedByte(b), at: i)
            }
        }
    }

    /// One element object of the nested array (depth 3): known members are recorded
    /// in `elements[slot + 1 + k]` (when `slot >= 0`) and checked for repeats.
    private func scanElementObject(at start: Int, keys: JSONKeySet, elements: UnsafeMutableBufferPointer<JSONToken?>,
                                   slot: Int) throws(JSONSyntaxError) -> Int {
        if slot >= 0 { for k in 0 ..< keys.count { elements[slot &+ 1 &+ k] = nil } }
        var seen: UInt32 = 0
        var expected = 0
        var i = try skipToContent(from: start &+ 1)
        if bytes[i] == UInt8(ascii: "}") { return i &+ 1 }
        while true {
            let keyStart = i
            let (keyEnd, k) = try scanKey(at: i, in: keys, expected: expected)
            if k >= 0 {
                let bit: UInt32 = 1 << UInt32(k)
                guard seen & bit == 0 else { throw JSONSyntaxError(.duplicateKey(keys.names[k]), at: keyStart) }
                seen |= bit
                expected = k &+ 1
            }
            let valueStart = try skipColon(after: keyEnd)
            let end: Int
            var escaped = false
            if bytes[valueStart] == UInt8(ascii: "\"") {
                (end, escaped) = try scanString(from: valueStart)
            } else {
                end = try scanValue(at: valueStart, depth: 3)
            }
            if k >= 0 && slot >= 0 { elements[slot &+ 1 &+ k] = token(startingAt: valueStart, end: end, escaped: escaped) }
            i = try skipToContent(from: end)
            switch bytes[i] {
            case UInt8(ascii: ","): i = try skipToContent(from: i &+ 1)
            case UInt8(ascii: "}"): return i &+ 1
            case let b: throw JSONSyntaxError(.unexpectedByte(b), at: i)
            }
        }
    }

    // MARK: - Any other value: checked only

    /// Checks the value that starts at `i` (a byte, not whitespace), enclosed by
    /// `depth` containers; returns the offset past it.
    private func scanValue(at i: Int, depth: Int) throws(JSONSyntaxError) -> Int {
        switch bytes[i] {
        case UInt8(ascii: "{"): return try scanObject(at: i, depth: depth &+ 1)
        case UInt8(ascii: "["): return try scanArray(at: i, depth: depth &+ 1)
        case UInt8(ascii: "\""): return try scanString(from: i).end
        case UInt8(ascii: "-"), UInt8(ascii: "0") ... UInt8(ascii: "9"): return try scanNumber(from: i)
        case UInt8(ascii: "t"): return try expectLiteral(0x6575_7274, length: 4, at: i)  // "true"
        case UInt8(ascii: "f"): return try expectLiteral(0x65_736C_6166, length: 5, at: i)  // "false"
        case UInt8(ascii: "n"): return try expectLiteral(0x6C6C_756E, length: 4, at: i)  // "null"
        case let b: throw JSONSyntaxError(.unexpectedByte(b), at: i)
        }
    }

    /// An object at nesting level `depth` whose members nobody records.
    private func scanObject(at start: Int, depth: Int) throws(JSONSyntaxError) -> Int {
        guard depth <= Self.maxDepth else { throw JSONSyntaxError(.tooDeep, at: start) }
        var i = try skipToContent(from: start &+ 1)
        if bytes[i] == UInt8(ascii: "}") { return i &+ 1 }
        while true {
            guard bytes[i] == UInt8(ascii: "\"") else { throw JSONSyntaxError(.unexpectedByte(bytes[i]), at: i) }
            let valueStart = try skipColon(after: try scanString(from: i).end)
            i = try skipToContent(from: try scanValue(at: valueStart, depth: depth))
            switch bytes[i] {
            case UInt8(ascii: ","): i = try skipToContent(from: i &+ 1)
            case UInt8(ascii: "}"): return i &+ 1
            case let b: throw JSONSyntaxError(.unexpectedByte(b), at: i)
            }
        }
    }

    /// An array at nesting level `depth` whose elements nobody records.
    private func scanArray(at start: Int, depth: Int) throws(JSONSyntaxError) -> Int {
        guard depth <= Self.maxDepth else { throw JSONSyntaxError(.tooDeep, at: start) }
        var i = try skipToContent(from: start &+ 1)
        if bytes[i] == UInt8(ascii: "]") { return i &+ 1 }
        while true {
            i = try skipToContent(from: try scanValue(at: i, depth: depth))
            switch bytes[i] {
            case UInt8(ascii: ","): i = try skipToContent(from: i &+ 1)
            case UInt8(ascii: "]"): return i &+ 1
            case let b: throw JSONSyntaxError(.unexpectedByte(b), at: i)
            }
        }
    }

    // MARK: - Lexical pieces of step 1

    /// The token of a value just read; `escaped` is what the last string scan found.
    @inline(__always)
    private func token(startingAt start: Int, end: Int, escaped: Bool) -> JSONToken {
        let kind = JSONKind(firstByte: bytes[start])
        return JSONToken(kind: kind, isEscaped: kind == .string && escaped, start: start, end: end)
    }

    /// The offset of the first byte at or after `start` that is not whitespace;
    /// the text must not end before it.
    @inline(__always)
    private func skipToContent(from start: Int) throws(JSONSyntaxError) -> Int {
        let i = skipWhitespace(from: start)
        guard i < bytes.count else { throw JSONSyntaxError(.unexpectedEnd, at: bytes.count) }
        return i
    }

    /// After a key: whitespace, `:`, whitespace; returns where the value starts.
    @inline(__always)
    private func skipColon(after keyEnd: Int) throws(JSONSyntaxError) -> Int {
        let i = try skipToContent(from: keyEnd)
        guard bytes[i] == UInt8(ascii: ":") else { throw JSONSyntaxError(.unexpectedByte(bytes[i]), at: i) }
        return try skipToContent(from: i &+ 1)
    }

    /// Checks the member name whose opening quote should be at `i` and looks it up in
    /// `keys`; returns the offset past its closing quote and its index (-1: unknown).
    ///
    /// The common case, a plain ASCII name of under 16 bytes, is found with two word
    /// loads that serve both to find the closing quote and to match the name, and
    /// records list their members in schema order, so the name at index `expected`
    /// is tried first.
    @inline(__always)
    private func scanKey(at i: Int, in keys: JSONKeySet, expected: Int) throws(JSONSyntaxError) -> (end: Int, index: Int) {
        guard bytes[i] == UInt8(ascii: "\"") else { throw JSONSyntaxError(.unexpectedByte(bytes[i]), at: i) }
        if i &+ 17 <= bytes.count {
            let low = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i &+ 1, as: UInt64.self))
            let lowSpecial = Self.specialBytes(low)
            if lowSpecial != 0 {
                let length = lowSpecial.trailingZeroBitCount >> 3
                if bytes[i &+ 1 &+ length] == UInt8(ascii: "\"") {
                    let name = low & ((1 << UInt64(length &* 8)) &- 1)
                    return (i &+ 2 &+ length, keys.index(low: name, high: 0, length: length, expected: expected))
                }
            } else {
                let high = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i &+ 9, as: UInt64.self))
                let highSpecial = Self.specialBytes(high)
                if highSpecial != 0 {
                    let length = highSpecial.trailingZeroBitCount >> 3
                    if bytes[i &+ 9 &+ length] == UInt8(ascii: "\"") {
                        let name = high & ((1 << UInt64(length &* 8)) &- 1)
                        return (i &+ 10 &+ length, keys.index(low: low, high: name, length: 8 &+ length, expected: expected))
                    }
                }
            }
        }
        let (end, escaped) = try scanString(from: i)
        let key = JSONToken(kind: .string, isEscaped: escaped, start: i, end: end)
        return (end, keys.index(ofKey: key, in: bytes) ?? -1)
    }

    @inline(__always)
    func skipWhitespace(from start: Int) -> Int {
        var i = start
        let n = bytes.count
        while i < n {
            switch bytes[i] {
            case 0x20, 0x0A, 0x0D, 0x09: i &+= 1
            default: return i
            }
        }
        return i
    }

    /// For eight bytes of string content, a mask with the high bit set in the first
    /// byte (and maybe later ones) that is not plain: `"`, `\`, below 0x20 or above 0x7F.
    /// Bits above the first flagged byte may be spurious (borrows); the lowest is exact.
    @inline(__always)
    static func specialBytes(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let isQuote = (quote &- ones) & ~quote
        let isBackslash = (backslash &- ones) & ~backslash
        let isControl = (word &- ones &* 0x20) & ~word
        return (isQuote | isBackslash | isControl | word) & (ones &* 0x80)
    }

    /// Checks the string whose opening quote is at `start`; returns the offset past
    /// its closing quote and whether it holds any escape.
    ///
    /// A plain ASCII string of under 16 bytes, the usual value, is settled here with
    /// at most two word loads; anything else goes on in `scanLongString`.
    @inline(__always)
    func scanString(from start: Int) throws(JSONSyntaxError) -> (end: Int, escaped: Bool) {
        let j = start &+ 1
        if j &+ 16 <= bytes.count {
            let low = Self.specialBytes(UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: j, as: UInt64.self)))
            if low != 0 {
                let k = j &+ low.trailingZeroBitCount >> 3
                if bytes[k] == UInt8(ascii: "\"") { return (k &+ 1, false) }
            } else {
                let high = Self.specialBytes(UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: j &+ 8, as: UInt64.self)))
                if high != 0 {
                    let k = j &+ 8 &+ high.trailingZeroBitCount >> 3
                    if bytes[k] == UInt8(ascii: "\"") { return (k &+ 1, false) }
                }
            }
        }
        return try scanLongString(from: start)
    }

    /// `scanString` for any string: escapes, non-ASCII text, 16 bytes or more.
    func scanLongString(from start: Int) throws(JSONSyntaxError) -> (end: Int, escaped: Bool) {
        let n = bytes.count
        var j = start &+ 1
        var escaped = false
        while true {
            while j &+ 8 <= n {
                let mask = Self.specialBytes(UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: j, as: UInt64.self)))
                if mask != 0 {
                    j &+= mask.trailingZeroBitCount >> 3
                    break
                }
                j &+= 8
            }
            guard j < n else { throw JSONSyntaxError(.unexpectedEnd, at: n) }
            let b = bytes[j]
            if b == UInt8(ascii: "\"") { return (j &+ 1, escaped) }
            if b == UInt8(ascii: "\\") {
                escaped = true
                j = try scanEscape(at: j)
            } else if b < 0x20 {
                throw JSONSyntaxError(.controlCharacter, at: j)
            } else if b >= 0x80 {
                let length = UTF8Validation.multiByteSequenceLength(in: bytes, at: j)
                guard length != 0 else { throw JSONSyntaxError(.invalidUTF8, at: j) }
                j &+= length
            } else {
                j &+= 1
            }
        }
    }

    /// Checks the escape whose backslash is at `j`; returns the offset past it (past
    /// both escapes of a surrogate pair).
    private func scanEscape(at j: Int) throws(JSONSyntaxError) -> Int {
        let n = bytes.count
        guard j &+ 1 < n else { throw JSONSyntaxError(.unexpectedEnd, at: n) }
        switch bytes[j &+ 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
             UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            return j &+ 2
        case UInt8(ascii: "u"):
            guard let unit = JSONUnescaping.hex4Checked(bytes, at: j &+ 2) else {
                throw JSONSyntaxError(.invalidEscape, at: j)
            }
            switch unit {
            case 0xD800 ... 0xDBFF:
                guard j &+ 12 <= n, bytes[j &+ 6] == UInt8(ascii: "\\"), bytes[j &+ 7] == UInt8(ascii: "u"),
                      let low = JSONUnescaping.hex4Checked(bytes, at: j &+ 8), (0xDC00 ... 0xDFFF).contains(low)
                else { throw JSONSyntaxError(.loneSurrogate, at: j) }
                return j &+ 12
            case 0xDC00 ... 0xDFFF:
                throw JSONSyntaxError(.loneSurrogate, at: j)
            default:
                return j &+ 6
            }
        default:
            throw JSONSyntaxError(.invalidEscape, at: j)
        }
    }

    /// Checks the number starting at `start` against the JSON grammar
    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`; returns the offset past it.
    private func scanNumber(from start: Int) throws(JSONSyntaxError) -> Int {
        let n = bytes.count
        var i = start
        @inline(__always) func isDigit(_ k: Int) -> Bool { k < n && bytes[k] &- UInt8(ascii: "0") < 10 }
        if bytes[i] == UInt8(ascii: "-") { i &+= 1 }
        guard isDigit(i) else { throw JSONSyntaxError(.invalidNumber, at: start) }
        if bytes[i] == UInt8(ascii: "0") {
            i &+= 1
            if isDigit(i) { throw JSONSyntaxError(.invalidNumber, at: start) }  // a leading zero: `01`
        } else {
            while isDigit(i) { i &+= 1 }
        }
        if i < n && bytes[i] == UInt8(ascii: ".") {
            i &+= 1
            guard isDigit(i) else { throw JSONSyntaxError(.invalidNumber, at: start) }
            while isDigit(i) { i &+= 1 }
        }
        if i < n && (bytes[i] | 0x20) == UInt8(ascii: "e") {
            i &+= 1
            if i < n && (bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-")) { i &+= 1 }
            guard isDigit(i) else { throw JSONSyntaxError(.invalidNumber, at: start) }
            while isDigit(i) { i &+= 1 }
        }
        return i
    }

    /// Checks that the literal whose bytes are packed little-endian in `word` stands at `i`.
    private func expectLiteral(_ word: UInt64, length: Int, at i: Int) throws(JSONSyntaxError) -> Int {
        for k in 0 ..< length {
            guard i &+ k < bytes.count else { throw JSONSyntaxError(.unexpectedEnd, at: bytes.count) }
            let expected = UInt8(truncatingIfNeeded: word >> UInt64(8 &* k))
            guard bytes[i &+ k] == expected else { throw JSONSyntaxError(.unexpectedByte(bytes[i &+ k]), at: i &+ k) }
        }
        return i &+ length
    }
}
