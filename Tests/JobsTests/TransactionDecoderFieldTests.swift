import Dataflow
import Testing
@testable import Jobs

/// Spec section 1: the rule of each field of a POS transaction.
@Suite("Transaction decoder: field rules")
struct TransactionDecoderFieldTests {
    // MARK: identifiers

    static let a64 = String(repeating: "a", count: 64)
    static let e64 = String(repeating: "é", count: 64)  // 128 bytes
    static let emoji64 = String(repeating: "😀", count: 64)  // 256 bytes

    @Test("tx_id, store_id, terminal_id: strings of 1...64 code points", arguments: [
        ("\"a\"", true), ("\"\(a64)\"", true), ("\"\(a64)a\"", false), ("\"\"", false),
        ("\"\(e64)\"", true), ("\"\(e64)é\"", false), ("\"\(emoji64)\"", true), ("\"\(emoji64)😀\"", false),
        ("\"" + String(repeating: "\\u00e9", count: 64) + "\"", true),
        ("\"" + String(repeating: "\\u00e9", count: 65) + "\"", false),
        ("\"" + String(repeating: "\\ud83d\\ude00", count: 64) + "\"", true),
        ("42", false), ("true", false), ("[\"a\"]", false), ("{}", false),
    ])
    func identifiers(value: String, valid: Bool) {
        for key in ["tx_id", "store_id", "terminal_id"] {
            #expect(jsonVerdict(Record().with(key, value).line) == (valid ? .accepted : .rejected(.badField, key)), "\(key)")
        }
        let items = "[" + item(sku: value) + "]"
        #expect(jsonVerdict(Record().withItems(items, total: "\"1.00\"").line)
            == (valid ? .accepted : .rejected(.badField, "items[0].sku")))
    }

    @Test("strings are unescaped")
    func unescapedStrings() throws {
        let tx = try decodeJSON(Record().with("tx_id", #""a\"b\\c\/d\u00e9\n\ud83d\ude00""#).line).get()
        #expect(tx.txID == "a\"b\\c/dé\n😀")
    }

    // MARK: kind

    @Test("kind: \"sale\" or \"refund\", exactly", arguments: [
        ("\"sale\"", TransactionKind?.some(.sale)), ("\"refund\"", .refund), ("\"s\\u0061le\"", .sale),
        ("\"Sale\"", nil), ("\"REFUND\"", nil), ("\"\"", nil), ("\"sale \"", nil), ("1", nil), ("false", nil),
    ])
    func kind(value: String, expected: TransactionKind?) {
        let result = decodeJSON(Record().with("kind", value).line)
        if let expected {
            #expect((try? result.get().kind) == expected)
        } else {
            #expect(verdict(result) == .rejected(.badField, "kind"))
        }
    }

    // MARK: currency

    @Test("currency: a code of the table, case-sensitive; another string is unknown_currency", arguments: [
        ("\"EUR\"", Verdict.accepted), ("\"USD\"", .accepted), ("\"GBP\"", .accepted), ("\"CHF\"", .accepted),
        ("\"SEK\"", .accepted), ("\"PLN\"", .accepted), ("\"\\u0045UR\"", .accepted),
        ("\"eur\"", .rejected(.unknownCurrency, "currency")), ("\"XXX\"", .rejected(.unknownCurrency, "currency")),
        ("\"EURO\"", .rejected(.unknownCurrency, "currency")), ("\"\"", .rejected(.unknownCurrency, "currency")),
        ("978", .rejected(.badField, "currency")), ("[\"EUR\"]", .rejected(.badField, "currency")),
    ])
    func currency(value: String, expected: Verdict) {
        #expect(jsonVerdict(Record().with("currency", value).line) == expected)
    }

    @Test("JPY and KWD amounts follow their minor-unit digits")
    func otherCurrencies() throws {
        let jpy = try decodeJSON(Record().with("currency", "\"JPY\"")
            .withItems("[" + item(qty: "3", price: "\"120\"") + "]", total: "360").line).get()
        #expect(jpy.currency == .JPY && jpy.items[0].unitPriceMinor == 120 && jpy.totalMinor == 360)
        let kwd = try decodeJSON(Record().with("currency", "\"KWD\"")
            .withItems("[" + item(qty: "2", price: "1.25") + "]", total: "\"2.500\"").line).get()
        #expect(kwd.currency == .KWD && kwd.items[0].unitPriceMinor == 1250 && kwd.totalMinor == 2500)
    }

    // MARK: items

    @Test("items: an array of 1...1000 objects")
    func itemCount() throws {
        let thousand = "[" + Array(repeating: item(), count: 1000).joined(separator: ",") + "]"
        let tx = try decodeJSON(Record().withItems(thousand, total: "\"1000.00\"").line).get()
        #expect(tx.items.count == 1000 && tx.totalMinor == 100_000)
        let tooMany = "[" + Array(repeating: item(), count: 1001).joined(separator: ",") + "]"
        #expect(jsonVerdict(Record().withItems(tooMany, total: "\"1001.00\"").line) == .rejected(.badField, "items"))
        // The count is the array's own rule: it is reported before any element's fault.
        let tooManyBroken = "[1," + Array(repeating: item(), count: 1000).joined(separator: ",") + "]"
        #expect(jsonVerdict(Record().withItems(tooManyBroken, total: "\"1000.00\"").line) == .rejected(.badField, "items"))
        for bad in ["[]", "{}", "\"x\"", "3", "true", "[ ]"] {
            #expect(jsonVerdict(Record().with("items", bad).line) == .rejected(.badField, "items"), "\(bad)")
        }
    }

    @Test("large baskets are read the same as small ones, faults deep inside included")
    func largeBaskets() throws {
        var items = Array(repeating: item(qty: "2", price: "\"0.05\""), count: 20)
        let tx = try decodeJSON(Record().withItems("[" + items.joined(separator: ",") + "]", total: "2").line, .reject).get()
        #expect(tx.items.count == 20 && tx.items.allSatisfy { $0 == LineItem(sku: "SKU-1", qty: 2, unitPriceMinor: 5) })
        items[18] = #"{"qty":2,"unit_price":"0.05"}"#
        #expect(jsonVerdict(Record().withItems("[" + items.joined(separator: ",") + "]", total: "2").line)
            == .rejected(.missingField, "items[18].sku"))
        items[18] = "7"
        #expect(jsonVerdict(Record().withItems("[" + items.joined(separator: ",") + "]", total: "2").line)
            == .rejected(.badField, "items[18]"))
    }

    @Test("a line is read within its own bytes of a shared batch buffer")
    func lineInsideBatchStorage() throws {
        let line = Array(Record().line.utf8)
        // The batch holds other bytes on both sides; the line is a slice in the middle.
        let storage = Array(#"{"tx_id":"OTHER","x":"#.utf8) + line + Array(#","tail":"\#u{1}"#.utf8)
        let start = storage.count - line.count - 10
        let origin = LineOrigin(fileIndex: 3, lineNumber: 9, raw: storage[start ..< start + line.count])
        let tx = try TransactionDecoder(totalMismatch: .reject).decodeJSON(origin: origin, fullLength: line.count).get()
        #expect(tx.txID == "s0042-t03-000918" && tx.origin.fileIndex == 3 && tx.origin.lineNumber == 9)
        // Cut short by one byte, the slice is unterminated, whatever follows it in the buffer.
        let cut = LineOrigin(fileIndex: 3, lineNumber: 9, raw: storage[start ..< start + line.count - 1])
        #expect(verdict(TransactionDecoder(totalMismatch: .reject).decodeJSON(origin: cut, fullLength: line.count - 1))
            == .rejected(.malformedJSON))
    }

    @Test("an element that is not an object is bad_field on items[i]", arguments: ["1", "\"x\"", "null", "[]", "[{}]"])
    func elementNotAnObject(_ element: String) {
        let items = "[" + item() + "," + element + "]"
        #expect(jsonVerdict(Record().withItems(items, total: "\"1.00\"").line) == .rejected(.badField, "items[1]"))
    }

    @Test("an item's fields are required, checked sku, qty, unit_price, item by item", arguments: [
        ([#"{"qty":1,"unit_price":"1.00"}"#], Verdict.rejected(.missingField, "items[0].sku")),
        ([#"{"sku":"A","unit_price":"1.00"}"#], .rejected(.missingField, "items[0].qty")),
        ([#"{"sku":"A","qty":1}"#], .rejected(.missingField, "items[0].unit_price")),
        ([#"{}"#], .rejected(.missingField, "items[0].sku")),
        ([#"{"unit_price":"x","qty":0,"sku":""}"#], .rejected(.badField, "items[0].sku")),
        ([#"{"unit_price":"x","qty":0,"sku":"A"}"#], .rejected(.badField, "items[0].qty")),
        ([item(price: "\"x\""), item(sku: "\"\"")], .rejected(.badField, "items[0].unit_price")),
        ([item(), item(), item(qty: "0")], .rejected(.badField, "items[2].qty")),
        ([item(), #"{"sku":"A","qty":null,"unit_price":"1"}"#], .rejected(.badField, "items[1].qty")),
        ([item(), #"{"sku":"A","qty":1,"unit_price":null}"#], .rejected(.badField, "items[1].unit_price")),
    ])
    func itemFieldOrder(items: [String], expected: Verdict) {
        let line = Record().withItems("[" + items.joined(separator: ",") + "]", total: "\"1.00\"").line
        #expect(jsonVerdict(line) == expected)
    }

    @Test("qty: an integer literal in 1...10000", arguments: [
        ("1", true), ("10000", true), ("0", false), ("10001", false), ("-1", false), ("2.0", false), ("1e2", false),
        ("1E0", false), ("\"2\"", false), ("true", false), ("99999999999999999999", false),
    ])
    func quantity(value: String, valid: Bool) {
        let line = Record().withItems("[" + item(qty: value, price: "\"0\"") + "]", total: "0").line
        #expect(jsonVerdict(line) == (valid ? .accepted : .rejected(.badField, "items[0].qty")))
    }

    @Test("unknown item fields are ignored, also nested ones")
    func unknownItemFields() throws {
        let items = #"[{"note":{"a":[1,{"b":"\"}"}]},"sku":"A","qty":2,"unit_price":"0.50","tags":["x"]}]"#
        let tx = try decodeJSON(Record().withItems(items, total: "1").line).get()
        #expect(tx.items == [LineItem(sku: "A", qty: 2, unitPriceMinor: 50)])
    }

    // MARK: payment and extras

    @Test("payment: optional, a string when present", arguments: [
        ("\"card\"", true), ("\"\"", true), ("1", false), ("true", false), ("{}", false), ("[]", false),
    ])
    func payment(value: String, valid: Bool) {
        #expect(jsonVerdict(Record().with("payment", value).line) == (valid ? .accepted : .rejected(.badField, "payment")))
    }

    @Test("whitespace between tokens and a CRLF line end are accepted")
    func whitespace() throws {
        let line = " {\t\"tx_id\" : \"a\" ,\n\"store_id\":\"s\", \"terminal_id\":\"t\", \"event_time\": 946684800000 ,"
            + " \"currency\" : \"EUR\", \"items\" : [ { \"sku\" : \"A\" , \"qty\" : 1 , \"unit_price\" : 0 } ] ,"
            + " \"total\" : 0 } \r"
        let tx = try decodeJSON(line).get()
        #expect(tx.txID == "a" && tx.items.count == 1 && tx.eventTime == 946_684_800_000)
    }
}
