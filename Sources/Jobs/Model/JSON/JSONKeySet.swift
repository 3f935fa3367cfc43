/// A small, fixed set of member names that a record type knows (`tx_id`, `items`, ...),
/// each found by its position in the set.
///
/// Names are UTF-8 strings of 1...16 bytes and a set holds at most 32 of them, so
/// that a key, packed into two machine words, is found with one multiplication (a
/// perfect hash chosen when the set is made) and one comparison, with no
/// allocation. A key longer than 16 bytes is never known.
public struct JSONKeySet: Sendable {
    /// A name packed into two little-endian words, zero-padded past its length.
    struct Packed: Sendable, Equatable {
        var low: UInt64
        var high: UInt64
        var length: Int
    }

    public static let maxNameBytes = 16
    public static let maxCount = 32

    /// The names, in the order that gives their indices.
    public let names: [String]
    let packed: [Packed]
    /// `slots[hash(name)]` is the name's index, or `emptySlot`.
    let slots: [UInt8]
    let multiplier: UInt64
    static let slotBits = 7
    static let emptySlot = UInt8.max

    public init(_ names: [String]) {
        precondition(names.count <= Self.maxCount, "a JSONKeySet holds at most \(Self.maxCount) names")
        precondition(Set(names).count == names.count, "JSONKeySet names must be distinct")
        self.names = names
        self.packed = names.map { name in
            let utf8 = Array(name.utf8)
            precondition((1 ... Self.maxNameBytes).contains(utf8.count), "JSONKeySet name \"\(name)\" must have 1...16 bytes")
            var p = Packed(low: 0, high: 0, length: utf8.count)
            for (k, b) in utf8.enumerated() {
                if k < 8 { p.low |= UInt64(b) << (8 * k) } else { p.high |= UInt64(b) << (8 * (k - 8)) }
            }
            return p
        }
        // Find a multiplier under which no two names share a slot. With at most 32
        // names in 128 slots a few dozen tries suffice; the sequence is fixed, so
        // every process builds the same table.
        var generator: UInt64 = 0x9E37_79B9_7F4A_7C15
        while true {
            generator &+= 0x9E37_79B9_7F4A_7C15
            let multiplier = (generator ^ (generator >> 29)) | 1
            var slots = [UInt8](repeating: Self.emptySlot, count: 1 << Self.slotBits)
            var collision = false
            for (k, p) in packed.enumerated() {
                let h = Self.hash(low: p.low, high: p.high, length: p.length, multiplier: multiplier)
                if slots[h] != Self.emptySlot { collision = true; break }
                slots[h] = UInt8(k)
            }
            if !collision {
                self.slots = slots
                self.multiplier = multiplier
                return
            }
        }
    }

    @inline(__always)
    static func hash(low: UInt64, high: UInt64, length: Int, multiplier: UInt64) -> Int {
        let mixed = (low ^ (high &* 0xFF51_AFD7_ED55_8CCD) ^ UInt64(truncatingIfNeeded: length)) &* multiplier
        return Int(truncatingIfNeeded: mixed >> UInt64(64 &- slotBits))
    }

    /// `index(low:high:length:)`, trying the name at index `expected` first (one
    /// comparison, when a record lists its members in the set's order).
    @inline(__always)
    func index(low: UInt64, high: UInt64, length: Int, expected: Int) -> Int {
        if expected < packed.count {
            let p = packed.withUnsafeBufferPointer { $0[expected] }
            if p.low == low && p.high == high && p.length == length { return expected }
        }
        return index(low: low, high: high, length: length)
    }

    /// The index of the name packed little-endian into `low` and `high` (zero past
    /// `length` bytes), or -1.
    @inline(__always)
    func index(low: UInt64, high: UInt64, length: Int) -> Int {
        let h = Self.hash(low: low, high: high, length: length, multiplier: multiplier)
        let k = slots.withUnsafeBufferPointer { $0[h] }
        guard k != Self.emptySlot else { return -1 }
        let p = packed.withUnsafeBufferPointer { $0[Int(k)] }
        return p.low == low && p.high == high && p.length == length ? Int(k) : -1
    }

    public var count: Int { names.count }

    /// The index of the name equal to these (already unescaped) bytes, if any.
    public func index(of name: UnsafeRawBufferPointer) -> Int? {
        guard (1 ... Self.maxNameBytes).contains(name.count) else { return nil }
        var p = Packed(low: 0, high: 0, length: name.count)
        for (k, b) in name.enumerated() {
            if k < 8 { p.low |= UInt64(b) << (8 * k) } else { p.high |= UInt64(b) << (8 * (k - 8)) }
        }
        return index(of: p)
    }

    /// The index of the key whose string token `key` is in `bytes` (a text that
    /// `JSONScanner` validates or has validated), comparing after unescaping.
    @inline(__always)
    func index(ofKey key: JSONToken, in bytes: UnsafeRawBufferPointer) -> Int? {
        let start = key.start &+ 1, length = key.end &- 1 &- start
        if key.isEscaped { return indexOfEscapedKey(start: start, end: key.end &- 1, in: bytes) }
        guard length >= 1 && length <= Self.maxNameBytes else { return nil }
        var p = Packed(low: 0, high: 0, length: length)
        if start &+ 16 <= bytes.count {
            // A key is followed by at least `":` and a value, so this rarely falls back.
            let low = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: start, as: UInt64.self))
            let high = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: start &+ 8, as: UInt64.self))
            if length >= 8 {
                p.low = low
                p.high = high & ((1 << UInt64((length &- 8) &* 8)) &- 1)
            } else {
                p.low = low & ((1 << UInt64(length &* 8)) &- 1)
            }
        } else {
            for k in 0 ..< length {
                let b = UInt64(bytes[start &+ k])
                if k < 8 { p.low |= b << UInt64(8 &* k) } else { p.high |= b << UInt64(8 &* (k &- 8)) }
            }
        }
        return index(of: p)
    }

    private func indexOfEscapedKey(start: Int, end: Int, in bytes: UnsafeRawBufferPointer) -> Int? {
        var p = Packed(low: 0, high: 0, length: 0)
        let complete = JSONUnescaping.forEachByte(in: bytes, from: start, to: end) { b in
            let k = p.length
            guard k < Self.maxNameBytes else { return false }
            if k < 8 { p.low |= UInt64(b) << UInt64(8 &* k) } else { p.high |= UInt64(b) << UInt64(8 &* (k &- 8)) }
            p.length = k &+ 1
            return true
        }
        return complete ? index(of: p) : nil
    }

    @inline(__always)
    private func index(of p: Packed) -> Int? {
        let k = index(low: p.low, high: p.high, length: p.length)
        return k >= 0 ? k : nil
    }
}

/// The record shape a `JSONScanner` checks and records while it validates a document:
/// the known member names of the top-level object, and optionally one of them whose
/// value, when it is an array, holds objects with known member names of their own
/// (a transaction's `items`, an inventory reservation's `lines`).
///
/// A known name repeated in one of those objects makes the document malformed;
/// unknown names may repeat freely (spec section 0).
public struct JSONSchema: Sendable {
    public let topLevel: JSONKeySet
    /// Index in `topLevel` of the member whose array elements are checked against `elementKeys`.
    public let nestedArrayIndex: Int?
    public let elementKeys: JSONKeySet

    /// Slots per element in `scan`'s `elements` buffer: the element, then one per element key.
    public var elementSlots: Int { 1 + elementKeys.count }

    public init(topLevel: JSONKeySet, nestedArray: (name: String, elementKeys: JSONKeySet)? = nil) {
        self.topLevel = topLevel
        if let nestedArray {
            guard let index = topLevel.names.firstIndex(of: nestedArray.name) else {
                preconditionFailure("the nested array \"\(nestedArray.name)\" must be a top-level name")
            }
            self.nestedArrayIndex = index
            self.elementKeys = nestedArray.elementKeys
        } else {
            self.nestedArrayIndex = nil
            self.elementKeys = JSONKeySet([])
        }
    }
}
