/// The ISO 4217 currencies the POS integration accepts (spec section 1), with the
/// number of minor-unit digits that amounts in that currency may carry.
public enum Currency: UInt8, Sendable, CaseIterable, Hashable {
    case EUR, USD, GBP, CHF, SEK, PLN, JPY, KWD

    public var code: String { codeText.description }

    /// The code as a static string, for appending to output without allocation.
    public var codeText: StaticString {
        switch self {
        case .EUR: "EUR"
        case .USD: "USD"
        case .GBP: "GBP"
        case .CHF: "CHF"
        case .SEK: "SEK"
        case .PLN: "PLN"
        case .JPY: "JPY"
        case .KWD: "KWD"
        }
    }

    public var minorDigits: Int {
        switch self {
        case .JPY: 0
        case .KWD: 3
        default: 2
        }
    }

    /// The currency whose code is exactly these bytes (case-sensitive), if any.
    @inlinable
    public init?(code bytes: UnsafeRawBufferPointer) {
        guard bytes.count == 3 else { return nil }
        // The three bytes packed little-endian, compared with each code at once.
        let packed = UInt32(bytes[0]) | UInt32(bytes[1]) << 8 | UInt32(bytes[2]) << 16
        switch packed {
        case 0x52_5545: self = .EUR
        case 0x44_5355: self = .USD
        case 0x50_4247: self = .GBP
        case 0x46_4843: self = .CHF
        case 0x4B_4553: self = .SEK
        case 0x4E_4C50: self = .PLN
        case 0x59_504A: self = .JPY
        case 0x44_574B: self = .KWD
        default: return nil
        }
    }
}
