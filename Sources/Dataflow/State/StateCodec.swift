/// The stable binary form of state keys and values.
///
/// Keys and values outlive the process (checkpoints, the RocksDB backend), so their
/// bytes are fixed by this codec, not by Swift's memory layout or `Codable`: integers
/// are big-endian (so that byte order sorts like numeric order for non-negative values),
/// strings are a 32-bit length followed by UTF-8. A value type evolving its layout
/// writes a version byte first and keeps reading the old versions.
public protocol StateCodable: Sendable {
    func encode(to writer: inout StateWriter)
    static func decode(from reader: inout StateReader) throws -> Self
}

/// A state key: hashable in process, with a stable encoding that decides its key group.
public protocol StateKey: StateCodable, Hashable {}

/// What scopes state and timers below a key (a window, or nothing).
public protocol StateNamespace: StateCodable, Hashable {}

/// Bytes being written in the state codec.
public struct StateWriter: Sendable {
    public var bytes: [UInt8]

    @inlinable public init(capacity: Int = 32) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    @inlinable public mutating func write(_ v: UInt8) { bytes.append(v) }

    @inlinable public mutating func write(_ v: Bool) { bytes.append(v ? 1 : 0) }

    @inlinable public mutating func write(_ v: UInt16) {
        bytes.append(UInt8(truncatingIfNeeded: v >> 8))
        bytes.append(UInt8(truncatingIfNeeded: v))
    }

    /// (One append of the big-endian bytes, not one per byte: a snapshot writes millions.)
    @inlinable public mutating func write(_ v: UInt32) {
        withUnsafeBytes(of: v.bigEndian) { bytes.append(contentsOf: $0) }
    }

    @inlinable public mutating func write(_ v: UInt64) {
        withUnsafeBytes(of: v.bigEndian) { bytes.append(contentsOf: $0) }
    }

    /// Signed integers flip their sign bit so that their bytes sort in numeric order.
    @inlinable public mutating func write(_ v: Int64) { write(UInt64(bitPattern: v) ^ (1 << 63)) }

    @inlinable public mutating func write(_ v: Int32) { write(UInt32(bitPattern: v) ^ (1 << 31)) }

    @inlinable public mutating func write(_ s: String) {
        var s = s
        s.withUTF8 { utf8 in
            write(UInt32(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }
}

public struct StateDecodingError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Bytes being read in the state codec.
public struct StateReader {
    public let bytes: [UInt8]
    public internal(set) var offset: Int

    public init(_ bytes: [UInt8], offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    public var isAtEnd: Bool { offset == bytes.count }

    @usableFromInline mutating func take(_ n: Int) throws -> ArraySlice<UInt8> {
        guard n >= 0, bytes.count - offset >= n else {
            throw StateDecodingError("state value truncated: wanted \(n) bytes at offset \(offset) of \(bytes.count)")
        }
        defer { offset += n }
        return bytes[offset ..< offset + n]
    }

    public mutating func readUInt8() throws -> UInt8 { try take(1).first! }

    public mutating func readBool() throws -> Bool {
        switch try readUInt8() {
        case 0: return false
        case 1: return true
        case let b: throw StateDecodingError("bad boolean byte \(b)")
        }
    }

    public mutating func readUInt16() throws -> UInt16 {
        try take(2).reduce(0) { $0 << 8 | UInt16($1) }
    }

    public mutating func readUInt32() throws -> UInt32 {
        try take(4).reduce(0) { $0 << 8 | UInt32($1) }
    }

    public mutating func readUInt64() throws -> UInt64 {
        try take(8).reduce(0) { $0 << 8 | UInt64($1) }
    }

    public mutating func readInt64() throws -> Int64 { Int64(bitPattern: try readUInt64() ^ (1 << 63)) }

    public mutating func readInt32() throws -> Int32 { Int32(bitPattern: try readUInt32() ^ (1 << 31)) }

    public mutating func readString() throws -> String {
        let n = Int(try readUInt32())
        let slice = try take(n)
        guard let s = String(validating: slice, as: UTF8.self) else { throw StateDecodingError("string is not UTF-8") }
        return s
    }
}

extension Int64: StateKey, StateNamespace {
    public func encode(to writer: inout StateWriter) { writer.write(self) }
    public static func decode(from reader: inout StateReader) throws -> Int64 { try reader.readInt64() }
}

extension String: StateKey, StateNamespace {
    public func encode(to writer: inout StateWriter) { writer.write(self) }
    public static func decode(from reader: inout StateReader) throws -> String { try reader.readString() }
}

/// The namespace of state that is scoped by key alone.
public struct NoNamespace: StateNamespace {
    public init() {}
    public func hash(into hasher: inout Hasher) {}
    /// Nothing to hash: the entry's hash is its key's.
    public func _rawHashValue(seed: Int) -> Int { seed }
    public func encode(to writer: inout StateWriter) {}
    public static func decode(from reader: inout StateReader) throws -> NoNamespace { NoNamespace() }
}

/// Hashing helpers for keys that carry their own fingerprint.
public enum StateHashing {
    /// A fingerprint mixed with a hash table's seed (a multiply-xorshift finalizer), for
    /// `_rawHashValue(seed:)`.
    @inlinable
    public static func mix(_ fingerprint: UInt64, seed: Int) -> Int {
        var x = fingerprint ^ UInt64(bitPattern: Int64(seed))
        x ^= x >> 33
        x &*= 0xff51_afd7_ed55_8ccd
        x ^= x >> 33
        x &*= 0xc4ce_b9fe_1a85_ec53
        x ^= x >> 33
        return Int(bitPattern: UInt(truncatingIfNeeded: x))
    }
}
