/// The kind of a JSON value, told by its first byte.
public enum JSONKind: UInt8, Sendable, Hashable, CustomStringConvertible {
    case object, array, string, number, `true`, `false`, null

    /// The kind of the value whose first byte is `byte`, in text a `JSONScanner` accepted.
    @inline(__always)
    init(firstByte byte: UInt8) {
        switch byte {
        case UInt8(ascii: "{"): self = .object
        case UInt8(ascii: "["): self = .array
        case UInt8(ascii: "\""): self = .string
        case UInt8(ascii: "t"): self = .true
        case UInt8(ascii: "f"): self = .false
        case UInt8(ascii: "n"): self = .null
        default: self = .number
        }
    }

    /// How a detail text names the kind: "an object", "a string", "null".
    public var description: String {
        switch self {
        case .object: "an object"
        case .array: "an array"
        case .string: "a string"
        case .number: "a number"
        case .true: "true"
        case .false: "false"
        case .null: "null"
        }
    }
}

/// One JSON value of a scanned text: its kind and where its bytes lie.
///
/// A token is only meaningful together with the `JSONScanner` (the bytes) it came
/// from. It holds no copy of anything: reading its content is the scanner's job.
/// Offsets are stored in 32 bits (a scanned text is one line, at most a few MiB), so
/// that a token takes 12 bytes and a record's tokens fit in a small stack buffer.
public struct JSONToken: Sendable, Hashable {
    public var kind: JSONKind
    /// For a string: at least one backslash escape lies between its quotes, so its
    /// bytes must be unescaped before use. Always `false` for other kinds.
    public var isEscaped: Bool
    @usableFromInline var storedStart: UInt32
    @usableFromInline var storedEnd: UInt32

    @inline(__always)
    public init(kind: JSONKind, isEscaped: Bool = false, start: Int, end: Int) {
        self.kind = kind
        self.isEscaped = isEscaped
        self.storedStart = UInt32(truncatingIfNeeded: start)
        self.storedEnd = UInt32(truncatingIfNeeded: end)
    }

    /// Offset of the value's first byte (`{`, `[`, the opening `"`, `-`, a digit, a letter).
    @inline(__always)
    public var start: Int { Int(storedStart) }
    /// Offset just past the value's last byte (past the closing `"`, `}` or `]`).
    @inline(__always)
    public var end: Int { Int(storedEnd) }

    /// For a string, the offsets of its content between the quotes (still escaped).
    @inline(__always)
    public var contentRange: Range<Int> { kind == .string ? start + 1 ..< end - 1 : start ..< end }
}

/// One member of a JSON object: its key (a `.string` token) and its value.
public struct JSONMember: Sendable, Hashable {
    public var key: JSONToken
    public var value: JSONToken
}
