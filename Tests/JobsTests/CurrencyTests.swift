import Testing
@testable import Jobs

@Suite struct CurrencyTests {
    @Test func minorDigitsFollowTheSpecTable() {
        #expect(Currency.allCases.map(\.code) == ["EUR", "USD", "GBP", "CHF", "SEK", "PLN", "JPY", "KWD"])
        #expect(Currency.JPY.minorDigits == 0 && Currency.KWD.minorDigits == 3 && Currency.EUR.minorDigits == 2)
    }

    @Test func codesAreExactAndCaseSensitive() {
        func parse(_ s: String) -> Currency? { Array(s.utf8).withUnsafeBytes { Currency(code: $0) } }
        #expect(parse("JPY") == .JPY)
        #expect(parse("jpy") == nil)
        #expect(parse("EURO") == nil)
    }
}
