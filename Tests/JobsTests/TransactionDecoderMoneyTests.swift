import Testing
@testable import Jobs

/// Spec section 0/1/2: amounts are exact integer minor units, sums and products
/// must fit Int64, and a total that differs from the items' sum is corrected or
/// rejected by policy.
@Suite("Transaction decoder: money, sums and totals")
struct TransactionDecoderMoneyTests {
    /// `unit_price` of one item of qty 1 in `currency`; the total is set to match.
    func unitPrice(_ price: String, _ currency: String = "EUR") -> Result<Int64, Verdict> {
        let line = Record().with("currency", "\"\(currency)\"").withItems("[" + item(price: price) + "]", total: price).line
        switch decodeJSON(line, .reject) {
        case .success(let tx): return .success(tx.items[0].unitPriceMinor)
        case .failure(let r): return .failure(.rejected(r.reason, r.field))
        }
    }

    @Test("amounts as strings or numbers, digits or digits.digits, scaled exactly", arguments: [
        ("\"1.99\"", "EUR", Int64(199)), ("1.99", "EUR", 199), ("\"1.9\"", "EUR", 190), ("1.9", "EUR", 190),
        ("\"1\"", "EUR", 100), ("12.5", "EUR", 1250), ("0", "EUR", 0), ("\"0.00\"", "EUR", 0), ("0.0", "EUR", 0),
        ("\"007.50\"", "EUR", 750), ("\"12\"", "JPY", 12), ("12", "JPY", 12), ("\"1.234\"", "KWD", 1234),
        ("1.2", "KWD", 1200), ("\"92233720368547758.07\"", "EUR", .max), ("9223372036854775807", "JPY", .max),
        ("\"0000000000000000000000001\"", "JPY", 1),
    ])
    func validAmounts(price: String, currency: String, minor: Int64) {
        #expect(unitPrice(price, currency) == .success(minor))
    }

    @Test("anything else is bad_field", arguments: [
        ("\"1.990\"", "EUR"), ("1.990", "EUR"), ("\"12.0\"", "JPY"), ("12.0", "JPY"), ("\"1.2345\"", "KWD"),
        ("\"-1\"", "EUR"), ("-1", "EUR"), ("-0", "EUR"), ("-0.0", "EUR"), ("1e2", "EUR"), ("1E2", "JPY"), ("\"1e2\"", "EUR"),
        ("1.5e1", "EUR"), ("\" 1\"", "EUR"), ("\"1 \"", "EUR"), ("\"1.\"", "EUR"), ("\".5\"", "EUR"), ("\"\"", "EUR"),
        ("\"+1\"", "EUR"), ("\"1,50\"", "EUR"), ("\"1.5.0\"", "EUR"), ("\"١\"", "EUR"), ("null", "EUR"), ("true", "EUR"),
        ("[1]", "EUR"), ("{}", "EUR"), ("\"92233720368547758.08\"", "EUR"), ("9223372036854775808", "JPY"),
        ("\"99999999999999999999\"", "JPY"), ("92233720368547758.08", "EUR"),
    ])
    func invalidAmounts(price: String, currency: String) {
        #expect(unitPrice(price, currency) == .failure(.rejected(.badField, "items[0].unit_price")))
    }

    @Test("total follows the same rules, on the field total")
    func totalRules() {
        for bad in ["\"1.990\"", "-1", "\"abc\"", "1e3", "\"92233720368547758.08\"", "{}"] {
            #expect(jsonVerdict(Record().with("total", bad).line) == .rejected(.badField, "total"), "\(bad)")
        }
        #expect(jsonVerdict(Record().with("total", "16.48").line, .reject) == .accepted)
    }

    @Test("a product qty * unit_price beyond Int64 is bad_field on items")
    func productOverflow() {
        // 922337203685477.59 EUR = 92233720368547759 minor units; times 101 overflows.
        let items = "[" + item(qty: "101", price: "\"922337203685477.59\"") + "]"
        #expect(jsonVerdict(Record().withItems(items, total: "0").line) == .rejected(.badField, "items"))
        let fits = "[" + item(qty: "100", price: "\"922337203685477.58\"") + "]"
        #expect(jsonVerdict(Record().withItems(fits, total: "\"92233720368547758.00\"").line, .reject) == .accepted)
    }

    @Test("a sum of items beyond Int64 is bad_field on items")
    func sumOverflow() {
        let half = "\"46116860184273879.04\""  // 2^62 minor units
        let items = "[" + item(price: half) + "," + item(price: half) + "]"
        #expect(jsonVerdict(Record().withItems(items, total: "0").line) == .rejected(.badField, "items"))
        let justFits = "[" + item(price: half) + "," + item(price: "\"46116860184273879.03\"") + "]"
        #expect(jsonVerdict(Record().withItems(justFits, total: "\"92233720368547758.07\"").line, .reject) == .accepted)
    }

    @Test("overflow is reported after every item passed its own rules")
    func overflowAfterItemRules() {
        let items = "[" + item(qty: "101", price: "\"922337203685477.59\"") + "," + item(sku: "\"\"") + "]"
        #expect(jsonVerdict(Record().withItems(items, total: "0").line) == .rejected(.badField, "items[1].sku"))
    }

    @Test("under correct, a differing total is replaced by the sum and kept as the original")
    func correctPolicy() throws {
        let tx = try decodeJSON(Record().with("total", "\"16.50\"").line, .correct).get()
        #expect(tx.totalMinor == 1648)
        #expect(tx.originalTotalMinor == 1650)
        #expect(tx.corrected)
        let exact = try decodeJSON(Record().line, .correct).get()
        #expect(exact.totalMinor == 1648 && exact.originalTotalMinor == nil && !exact.corrected)
    }

    @Test("under reject, a differing total is total_mismatch on total")
    func rejectPolicy() {
        let result = decodeJSON(Record().with("total", "\"16.50\"").line, .reject)
        #expect(verdict(result) == .rejected(.totalMismatch, "total"))
        #expect(jsonVerdict(Record().with("total", "16.480").line, .reject) == .rejected(.badField, "total"))
        #expect(jsonVerdict(Record().line, .reject) == .accepted)
    }

    @Test("a refund's amounts are positive like a sale's")
    func refund() throws {
        let tx = try decodeJSON(Record().with("kind", "\"refund\"").line, .reject).get()
        #expect(tx.kind == .refund && tx.totalMinor == 1648)
    }
}
