/// Reading an amount of money exactly, in integer minor units (spec section 0).
///
/// An amount is written `digits` or `digits.digits`: no sign, exponent or spaces,
/// no leading or trailing point. Its fraction digits count as written (`1.990` has
/// three, so it is not an amount in EUR), may be at most the currency's minor-unit
/// digits, and the amount scaled to minor units must fit `Int64`. The same text
/// rule holds whether the amount came as a JSON string or as a JSON number's literal.
/// Floating point is never involved.
public enum Money {
    public enum Reading: Sendable, Hashable {
        case minorUnits(Int64)
        /// Not `digits` or `digits.digits`.
        case notDecimal
        /// More fraction digits than the currency has (the count written).
        case tooManyFractionDigits(Int)
        /// Beyond `Int64` once scaled to minor units.
        case overflow
    }

    /// Reads `text` as an amount in a currency with `minorDigits` minor-unit digits.
    @inlinable
    public static func read(_ text: UnsafeRawBufferPointer, minorDigits: Int) -> Reading {
        if text.count <= 16 && minorDigits <= 3, let amount = readShort(text, minorDigits: minorDigits) {
            return .minorUnits(amount)
        }
        return readChecked(text, minorDigits: minorDigits)
    }

    /// The common case: at most 16 bytes, so at most 19 digits once scaled by up to
    /// 10^3 — no overflow check needed. `nil` for anything that is not a valid amount.
    @inlinable @inline(__always)
    static func readShort(_ text: UnsafeRawBufferPointer, minorDigits: Int) -> Int64? {
        let n = text.count
        var value: UInt64 = 0
        var i = 0
        while i < n, case let d = text[i] &- UInt8(ascii: "0"), d < 10 {
            value = value &* 10 &+ UInt64(d)
            i &+= 1
        }
        guard i > 0 else { return nil }
        var fractionDigits = 0
        if i < n {
            guard text[i] == UInt8(ascii: ".") else { return nil }
            i &+= 1
            while i < n, case let d = text[i] &- UInt8(ascii: "0"), d < 10 {
                value = value &* 10 &+ UInt64(d)
                fractionDigits &+= 1
                i &+= 1
            }
            guard fractionDigits > 0 && i == n && fractionDigits <= minorDigits else { return nil }
        }
        for _ in fractionDigits ..< minorDigits { value = value &* 10 }
        return value <= UInt64(Int64.max) ? Int64(value) : nil
    }

    @inlinable
    static func readChecked(_ text: UnsafeRawBufferPointer, minorDigits: Int) -> Reading {
        let n = text.count
        var i = 0
        var value: Int64 = 0
        var overflow = false
        @inline(__always) func push(_ digit: UInt8) {
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(Int64(digit))
            overflow = overflow || o1 || o2
            value = sum
        }
        while i < n, case let d = text[i] &- UInt8(ascii: "0"), d < 10 {
            push(d)
            i &+= 1
        }
        guard i > 0 else { return .notDecimal }
        var fractionDigits = 0
        if i < n {
            guard text[i] == UInt8(ascii: ".") else { return .notDecimal }
            i &+= 1
            while i < n, case let d = text[i] &- UInt8(ascii: "0"), d < 10 {
                push(d)
                fractionDigits &+= 1
                i &+= 1
            }
            guard fractionDigits > 0 && i == n else { return .notDecimal }
        }
        if fractionDigits > minorDigits { return .tooManyFractionDigits(fractionDigits) }
        for _ in fractionDigits ..< minorDigits { push(0) }
        return overflow ? .overflow : .minorUnits(value)
    }

    /// A one-line description of why a reading is not an amount, for a dead letter's detail.
    public static func detail(_ reading: Reading, currency: Currency) -> String {
        switch reading {
        case .minorUnits: return "is a valid amount"
        case .notDecimal: return "must be an amount written as digits or digits.digits (no sign, exponent or spaces)"
        case .tooManyFractionDigits(let k):
            return "has \(k) fraction digits; \(currency.code) allows at most \(currency.minorDigits)"
        case .overflow: return "does not fit a signed 64-bit integer in minor units"
        }
    }
}
