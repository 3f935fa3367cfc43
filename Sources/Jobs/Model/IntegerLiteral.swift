/// A decimal integer read exactly from its text, `-?[0-9]+`: what a JSON integer
/// literal or a CSV integer cell holds. Never goes through floating point.
public enum IntegerLiteral: Sendable, Hashable {
    /// The text is an integer whose value fits `Int64`.
    case value(Int64)
    /// The text is an integer beyond `Int64`.
    case overflow
    /// Not an integer: empty, a fraction or exponent (`2.0`, `1e2`), a `+`, a space, anything else.
    case notAnInteger

    /// Reads `-?[0-9]+` (leading zeros allowed here; JSON's grammar already forbids
    /// them in JSON text).
    @inlinable
    public init(_ text: UnsafeRawBufferPointer) {
        let n = text.count
        let negative = n > 0 && text[0] == UInt8(ascii: "-")
        var i = negative ? 1 : 0
        guard i < n else { self = .notAnInteger; return }
        var magnitude: UInt64 = 0
        var overflow = false
        while i < n {
            let digit = text[i] &- UInt8(ascii: "0")
            guard digit < 10 else { self = .notAnInteger; return }
            let (times10, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(UInt64(digit))
            overflow = overflow || o1 || o2
            magnitude = sum
            i &+= 1
        }
        let limit = negative ? UInt64(Int64.max) &+ 1 : UInt64(Int64.max)
        if overflow || magnitude > limit { self = .overflow; return }
        self = .value(negative ? Int64(truncatingIfNeeded: 0 &- magnitude) : Int64(magnitude))
    }

    /// The value, when the text was an integer that fits `Int64`.
    @inlinable
    public var value: Int64? {
        if case .value(let v) = self { return v }
        return nil
    }
}
