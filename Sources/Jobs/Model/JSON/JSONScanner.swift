/// A validating JSON reader over the bytes of one line, built for the decoders of
/// input records (transactions, inventory events).
///
/// Reading a record takes two steps:
///
/// 1. `scan(schema:members:)` checks the whole text in a single pass (RFC 8259
///    syntax, UTF-8 inside strings, escapes and surrogate pairs, nesting depth,
///    nothing after the value) and, on the way, records where the value of each
///    known top-level member lies and rejects a known name repeated in one object.
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

    @inline(__always)
    public init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    /// What step 1 learned about the document besides the member tokens.
    public struct Summary: Sendable, Hashable {
        /// The document's value (an object for a record).
        public var root: JSONToken
        /// How many elements the schema's nested array holds, when that member is
        /// present and an array; 0 otherwise.
        public var nestedArrayCount: Int
    }

    private enum Step { case value, key, afterValue }

    /// Validates the whole text as one JSON document and records, in `members[k]`,
    /// the value of the top-level object's member named `schema.topLevel.names[k]`
    /// (`nil` when absent or when the document is not an object).
    ///
    /// The checks: the JSON grammar everywhere (also inside values nobody reads),
    /// strings free of raw control characters and of invalid UTF-8, escapes valid
    /// and surrogate escapes paired, at most `maxDepth` levels of nesting, only
    /// whitespace after the value, no known name twice in the top-level object or in
    /// one element object of the schema's nested array.
    ///
    /// - Precondition: `members.count >= schema.topLevel.count`.
    /// - Complexity: O(n) in the length of the text, one pass.
    public func scan(schema: JSONSchema, members: UnsafeMutableBufferPointer<JSONToken?>) throws(JSONSyntaxError) -> Summary {
        precondition(members.count >= schema.topLevel.count)
        for k in 0 ..< schema.topLevel.count { members[k] = nil }
        let n = bytes.count
        var i = skipWhitespace(from: 0)
        guard i < n else { throw JSONSyntaxError(.empty, at: i) }
        let rootStart = i
        let nestedIndex = schema.nestedArrayIndex ?? -1

        var depth = 0
        var objectLevels: UInt64 = 0  // bit d-1 set: the container at depth d is an object
        var topSeen: UInt32 = 0  // known names met in the top-level object
        var elementSeen: UInt32 = 0  // known names met in the current element of the nested array
        var inNestedArray = false  // the container at depth 2 is the schema's nested array
        var nestedCount = 0
        var member = -1  // index of the known top-level member whose value is being read
        var memberStart = 0
        var lastStringEscaped = false

        var step = Step.value
        while true {
            switch step {
            case .value:
                guard i < n else { throw JSONSyntaxError(.unexpectedEnd, at: n) }
                if inNestedArray && depth == 2 { nestedCount &+= 1 }
                switch bytes[i] {
                case UInt8(ascii: "{"):
                    depth &+= 1
                    guard depth <= Self.maxDepth else { throw JSONSyntaxError(.tooDeep, at: i) }
                    objectLevels |= 1 << UInt64(depth &- 1)
                    if inNestedArray && depth == 3 { elementSeen = 0 }
                    i = skipWhitespace(from: i &+ 1)
                    if i < n && bytes[i] == UInt8(ascii: "}") {
                        i &+= 1
                        depth &-= 1
                        step = .afterValue
                    } else {
                        step = .key
                    }
                case UInt8(ascii: "["):
                    depth &+= 1
                    guard depth <= Self.maxDepth else { throw JSONSyntaxError(.tooDeep, at: i) }
                    objectLevels &= ~(1 << UInt64(depth &- 1))
                    if depth == 2 && member >= 0 && member == nestedIndex { inNestedArray = true }
                    i = skipWhitespace(from: i &+ 1)
                    if i < n && bytes[i] == UInt8(ascii: "]") {
                        i &+= 1
                        depth &-= 1
                        step = .afterValue
                    }  // else: still .value, for the first element
                case UInt8(ascii: "\""):
                    (i, lastStringEscaped) = try scanString(from: i)
                    step = .afterValue
                case UInt8(ascii: "-"), UInt8(ascii: "0") ... UInt8(ascii: "9"):
                    i = try scanNumber(from: i)
                    step = .afterValue
                case UInt8(ascii: "t"):
                    i = try expectLiteral(0x6575_7274, length: 4, at: i)  // "true"
                    step = .afterValue
                case UInt8(ascii: "f"):
                    i = try expectLiteral(0x65_736C_6166, length: 5, at: i)  // "false"
                    step = .afterValue
                case UInt8(ascii: "n"):
                    i = try expectLiteral(0x6C6C_756E, length: 4, at: i)  // "null"
                    step = .afterValue
                case let b:
                    throw JSONSyntaxError(.unexpectedByte(b), at: i)
                }

            case .key:
                guard i < n else { throw JSONSyntaxError(.unexpectedEnd, at: n) }
                guard bytes[i] == UInt8(ascii: "\"") else { throw JSONSyntaxError(.unexpectedByte(bytes[i]), at: i) }
                let keyStart = i
                let (keyEnd, escaped) = try scanString(from: i)
                let key = JSONToken(kind: .string, isEscaped: escaped, start: keyStart, end: keyEnd)
                if depth == 1 {
                    member = schema.topLevel.index(ofKey: key, in: bytes) ?? -1
                    if member >= 0 {
                        let bit: UInt32 = 1 << UInt32(member)
                        guard topSeen & bit == 0 else {
                            throw JSONSyntaxError(.duplicateKey(schema.topLevel.names[member]), at: keyStart)
                        }
                        topSeen |= bit
                    }
                } else if depth == 3 && inNestedArray, let k = schema.elementKeys.index(ofKey: key, in: bytes) {
                    let bit: UInt32 = 1 << UInt32(k)
                    guard elementSeen & bit == 0 else {
                        throw JSONSyntaxError(.duplicateKey(schema.elementKeys.names[k]), at: keyStart)
                    }
                    elementSeen |= bit
                }
                i = skipWhitespace(from: keyEnd)
                guard i < n else { throw JSONSyntaxError(.unexpectedEnd, at: n) }
                guard bytes[i] == UInt8(ascii: ":") else { throw JSONSyntaxError(.unexpectedByte(bytes[i]), at: i) }
                i = skipWhitespace(from: i &+ 1)
                if depth == 1 { memberStart = i }
                step = .value

            case .afterValue:
                if depth == 1 {
                    // The value just read is a direct member of the top-level object.
                    if member >= 0 {
                        let kind = JSONKind(firstByte: bytes[memberStart])
                        members[member] = JSONToken(kind: kind, isEscaped: kind == .string && lastStringEscaped,
                                                    start: memberStart, end: i)
                        member = -1
                    }
                    inNestedArray = false
                }
                let valueEnd = i
                i = skipWhitespace(from: i)
                if depth == 0 {
                    guard i == n else { throw JSONSyntaxError(.trailingCharacters, at: i) }
                    let kind = JSONKind(firstByte: bytes[rootStart])
                    let root = JSONToken(kind: kind, isEscaped: kind == .string && lastStringEscaped,
                                         start: rootStart, end: valueEnd)
                    return Summary(root: root, nestedArrayCount: nestedCount)
                }
                guard i < n else { throw JSONSyntaxError(.unexpectedEnd, at: n) }
                let b = bytes[i]
                let inObject = objectLevels & (1 << UInt64(depth &- 1)) != 0
                if b == UInt8(ascii: ",") {
                    i = skipWhitespace(from: i &+ 1)
                    step = inObject ? .key : .value
                } else if b == (inObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                    i &+= 1
                    depth &-= 1
                } else {
                    throw JSONSyntaxError(.unexpectedByte(b), at: i)
                }
            }
        }
    }

    // MARK: - Lexical pieces of step 1

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
    private static func specialBytes(_ word: UInt64) -> UInt64 {
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
    @inline(__always)
    func scanString(from start: Int) throws(JSONSyntaxError) -> (end: Int, escaped: Bool) {
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
