/// The ISO 4217 currencies the POS integration accepts (spec section 1), with the
/// number of minor-unit digits that amounts in that currency may carry.
public enum Currency: UInt8, Sendable, CaseIterable, Hashable {
    case EUR, USD, GBP, CHF, SEK, PLN, JPY, KWD

    public var code: String {
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
        for c in Currency.allCases {
            var code = c.code
            let same = code.withUTF8 { $0.elementsEqual(bytes) }
            if same { self = c; return }
        }
        return nil
    }
}
