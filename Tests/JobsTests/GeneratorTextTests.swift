import Testing
@testable import Generators
@testable import Jobs

@Suite(.timeLimit(.minutes(5))) struct GeneratorTextTests {
    private func text(_ body: (inout [UInt8]) -> Void) -> String {
        var out: [UInt8] = []
        body(&out)
        return String(decoding: out, as: UTF8.self)
    }

    @Test func writesRFC3339InUTCAndWithAnOffset() {
        #expect(text { GeneratorText.appendRFC3339(1_795_256_102_120, offsetMinutes: 0, to: &$0) } == "2026-11-21T10:15:02.120Z")
        #expect(text { GeneratorText.appendRFC3339(1_795_256_102_120, offsetMinutes: 60, to: &$0) } == "2026-11-21T11:15:02.120+01:00")
        #expect(text { GeneratorText.appendRFC3339(946_684_799_999, offsetMinutes: 0, to: &$0) } == "1999-12-31T23:59:59.999Z")
        #expect(text { GeneratorText.appendRFC3339(951_782_400_000, offsetMinutes: 0, to: &$0) } == "2000-02-29T00:00:00.000Z")
    }

    @Test func civilCalendarRoundTrips() {
        for days: Int64 in [-719_468, -1, 0, 10_957, 20_778, 47_482, 2_932_896] {
            let d = CivilCalendar.date(days: days)
            #expect(CivilCalendar.days(year: d.year, month: d.month, day: d.day) == days)
            #expect(CivilCalendar.isValid(year: d.year, month: d.month, day: d.day))
        }
        #expect(CivilCalendar.days(year: 2026, month: 11, day: 21) * 86_400_000 == POSGeneratorConfig.defaultStart)
        #expect(!CivilCalendar.isValid(year: 2026, month: 2, day: 29))
    }

    @Test func writesMoneyInEveryStyleAndCurrency() {
        func money(_ minor: Int64, _ digits: Int, _ style: GeneratorText.MoneyStyle, extra: Bool = false) -> String {
            text { GeneratorText.appendMoney(minor, digits: digits, style: style, extraDigit: extra, to: &$0) }
        }
        #expect(money(1250, 2, .string) == "\"12.50\"")
        #expect(money(1250, 2, .number) == "12.50")
        #expect(money(1250, 2, .trimmedNumber) == "12.5")
        #expect(money(1200, 2, .trimmedString) == "\"12\"")
        #expect(money(5, 2, .number) == "0.05")
        #expect(money(3128, 0, .number) == "3128")
        #expect(money(1950, 3, .string) == "\"1.950\"")
        #expect(money(1950, 3, .trimmedNumber) == "1.95")
        #expect(money(199, 2, .string, extra: true) == "\"1.995\"")
        #expect(money(198, 0, .string, extra: true) == "\"198.5\"")
    }

    @Test func quotesCSVCellsOnlyWhenNeeded() {
        #expect(text { GeneratorText.appendCSVCell(Array("store-0001".utf8), to: &$0) } == "store-0001")
        #expect(text { GeneratorText.appendCSVCell(Array("a,\"b\"".utf8), to: &$0) } == "\"a,\"\"b\"\"\"")
    }

    @Test func pricesFollowEachCurrencysDigitsAndHabits() {
        let catalog = ProductCatalog()
        for sku in 0 ..< ProductCatalog.size {
            let euro = catalog.price(of: sku, in: .EUR)
            #expect(euro >= 29 && euro <= 19_999)
            #expect(catalog.price(of: sku, in: .CHF) % 5 == 0)
            #expect(catalog.price(of: sku, in: .KWD) % 5 == 0)
            #expect(catalog.price(of: sku, in: .JPY) > 0)
        }
        // Stable: the catalog does not depend on any seed.
        #expect(ProductCatalog().price(of: 16, in: .EUR) == catalog.price(of: 16, in: .EUR))
    }
}
