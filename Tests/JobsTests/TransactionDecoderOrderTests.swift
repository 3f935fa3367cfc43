import Testing
@testable import Jobs

/// Spec section 0: which reason a line gets, and that the first failing check wins,
/// in the order too_large, bad_encoding, malformed_json, not_an_object, the fields
/// in table order, total_mismatch.
@Suite("Transaction decoder: reasons and their order")
struct TransactionDecoderOrderTests {
    @Test("the spec's example is valid")
    func specExampleIsValid() throws {
        let tx = try decodeJSON(Record().line).get()
        #expect(tx.txID == "s0042-t03-000918")
        #expect(tx.storeID == "store-0042")
        #expect(tx.terminalID == "t03")
        #expect(tx.eventTime == 1_795_256_102_120)
        #expect(tx.kind == .sale)
        #expect(tx.currency == .EUR)
        #expect(tx.items == [LineItem(sku: "SKU-00017", qty: 2, unitPriceMinor: 199),
                             LineItem(sku: "SKU-00321", qty: 1, unitPriceMinor: 1250)])
        #expect(tx.itemCount == nil)
        #expect(tx.totalMinor == 1648)
        #expect(tx.originalTotalMinor == nil)
        #expect(tx.origin.lineNumber == 1)
    }

    // MARK: too_large

    @Test("a line over 1 MiB is too_large, checked before its (truncated, invalid) bytes")
    func tooLargeComesFirst() {
        // The reader keeps only the first 4096 bytes of a 2 MiB line; they are broken UTF-8 and broken JSON.
        var stored = Array("{\"tx_id\":\"".utf8)
        stored += [UInt8](repeating: 0xFF, count: 4096 - stored.count)
        let result = TransactionDecoder(totalMismatch: .correct).decodeJSON(origin: origin(stored), fullLength: 2 * 1_048_576)
        #expect(verdict(result) == .rejected(.tooLarge))
    }

    @Test("exactly 1,048,576 bytes is not too large; one byte more is")
    func tooLargeBoundary() {
        let base = Record().with("note", "\"\"").line
        let padding = 1_048_576 - base.utf8.count
        let line = Record().with("note", "\"" + String(repeating: "x", count: padding) + "\"").line
        #expect(line.utf8.count == 1_048_576)
        #expect(jsonVerdict(line) == .accepted)
        let longer = Record().with("note", "\"" + String(repeating: "x", count: padding + 1) + "\"").line
        #expect(jsonVerdict(longer) == .rejected(.tooLarge))
    }

    // MARK: bad_encoding

    static let invalidUTF8: [(String, [UInt8])] = [
        ("overlong slash", [0xC0, 0xAF]),
        ("overlong 3-byte", [0xE0, 0x80, 0xAF]),
        ("encoded surrogate", [0xED, 0xA0, 0x80]),
        ("above U+10FFFF", [0xF4, 0x90, 0x80, 0x80]),
        ("truncated sequence", [0xE2, 0x82]),
        ("stray continuation byte", [0x80]),
        ("invalid byte", [0xFF]),
    ]

    @Test("invalid UTF-8 inside a string is bad_encoding", arguments: invalidUTF8)
    func badEncodingInString(name: String, bytes: [UInt8]) {
        // A complete record whose only fault is the encoding of its tx_id.
        let template = Array(Record().with("tx_id", "\"a#b\"").line.utf8)
        let k = template.firstIndex(of: UInt8(ascii: "#"))!
        let line = Array(template[..<k]) + bytes + Array(template[(k + 1)...])
        #expect(verdict(decodeJSON(bytes: line)) == .rejected(.badEncoding))
    }

    @Test("bad_encoding outranks malformed JSON, wherever the invalid bytes are")
    func badEncodingBeforeMalformed() {
        // Broken JSON early, invalid UTF-8 later.
        let line = Array(#"{"tx_id": oops, "x":""#.utf8) + [0xC3] + Array(#""}"#.utf8)
        #expect(verdict(decodeJSON(bytes: line)) == .rejected(.badEncoding))
        // Invalid UTF-8 outside any string.
        #expect(verdict(decodeJSON(bytes: Array(Record().line.utf8) + [0xFE])) == .rejected(.badEncoding))
    }

    @Test("valid multi-byte UTF-8 in strings is fine")
    func multiByteUTF8IsFine() {
        #expect(jsonVerdict(Record().with("store_id", "\"Zürich-€-😀\"").line) == .accepted)
    }

    // MARK: malformed_json

    static let malformed: [String] = [
        "",
        "   ",
        "\t",
        "{",
        "{\"tx_id\":\"a\"",
        "{\"tx_id\" \"a\"}",
        "{\"tx_id\":\"a\",}",
        "{,}",
        "{'tx_id':'a'}",
        "{tx_id:\"a\"}",
        "{} x",
        "{}{}",
        "{} {}",
        "[1,]",
        "[1 2]",
        "{\"a\":01}",
        "{\"a\":1.}",
        "{\"a\":-}",
        "{\"a\":+1}",
        "{\"a\":.5}",
        "{\"a\":1e}",
        "{\"a\":1e+}",
        "{\"a\":-01}",
        "{\"a\":0x10}",
        "{\"a\":NaN}",
        "{\"a\":tru}",
        "{\"a\":nul}",
        "{\"a\":True}",
        "{\"a\":\"\\x\"}",
        "{\"a\":\"\\u12G4\"}",
        "{\"a\":\"\\u12\"}",
        "{\"a\":\"abc}",
        "{\"a\":\"tab\there\"}",
        "{\"a\":\"nl\u{1}\"}",
        "{\"a\":1 /* comment */}",
        "\u{FEFF}{}",
    ]

    @Test("JSON syntax errors anywhere, inside unknown fields too, are malformed_json", arguments: malformed)
    func syntaxErrors(_ line: String) {
        #expect(jsonVerdict(line) == .rejected(.malformedJSON))
        // The same fault inside an otherwise complete record.
        if line.hasPrefix("{\"a\":") {
            let value = String(line.dropFirst(5).dropLast())
            #expect(jsonVerdict(Record().with("extra", value).line) == .rejected(.malformedJSON))
        }
    }

    @Test("malformed JSON outranks every field rule")
    func malformedBeforeFields() {
        let line = Record().with("tx_id", "5").with("currency", "\"XXX\"").with("extra", "[1,]").line
        #expect(jsonVerdict(line) == .rejected(.malformedJSON))
    }

    @Test("lone surrogate escapes are malformed_json; a proper pair is fine", arguments: [
        (#""\ud800""#, false), (#""\ud800x""#, false), (#""\ud800\u0041""#, false), (#""\udc00""#, false),
        (#""\uDBFF\uDBFF""#, false), (#""x\udfff""#, false), (#""\ud83d\ude00""#, true), (#""\uD83D\uDE00""#, true),
    ])
    func surrogates(value: String, valid: Bool) {
        #expect(jsonVerdict(Record().with("note", value).line) == (valid ? .accepted : .rejected(.malformedJSON)))
        #expect(jsonVerdict(Record().with("store_id", value).line) == (valid ? .accepted : .rejected(.malformedJSON)))
    }

    @Test("nesting: 64 levels are fine, 65 are malformed_json (the record object is level 1)")
    func nestingDepth() {
        let ok = String(repeating: "[", count: 63) + String(repeating: "]", count: 63)
        #expect(jsonVerdict(Record().with("deep", ok).line) == .accepted)
        let tooDeep = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(jsonVerdict(Record().with("deep", tooDeep).line) == .rejected(.malformedJSON))
        let objects = String(repeating: "{\"a\":", count: 64) + "1" + String(repeating: "}", count: 64)
        #expect(jsonVerdict(Record().with("deep", objects).line) == .rejected(.malformedJSON))
        // Depth is checked before the kind of the top-level value.
        #expect(jsonVerdict(String(repeating: "[", count: 65) + String(repeating: "]", count: 65)) == .rejected(.malformedJSON))
        #expect(jsonVerdict(String(repeating: "[", count: 64) + String(repeating: "]", count: 64)) == .rejected(.notAnObject))
    }

    @Test("a known field twice is malformed_json, even with the same value, even after a bad value")
    func duplicateKnownField() {
        let line = Record().line.dropLast() + #","tx_id":"s0042-t03-000918"}"#
        #expect(jsonVerdict(String(line)) == .rejected(.malformedJSON))
        let both = Record().with("tx_id", "5").line.dropLast() + #","payment":"cash"}"#
        #expect(jsonVerdict(String(both)) == .rejected(.malformedJSON))
        for key in ["store_id", "terminal_id", "event_time", "kind", "currency", "items", "total"] {
            let repeated = Record().line.dropLast() + ",\"\(key)\":null}"
            #expect(jsonVerdict(String(repeated)) == .rejected(.malformedJSON), "\(key)")
        }
    }

    @Test("a known item field twice in one item is malformed_json")
    func duplicateKnownItemField() {
        for dup in [#""sku":"B""#, #""qty":1"#, #""unit_price":"1.00""#] {
            let items = #"[{"sku":"A","qty":1,"unit_price":"1.00",\#(dup)}]"#
            #expect(jsonVerdict(Record().withItems(items, total: "\"1.00\"").line) == .rejected(.malformedJSON), "\(dup)")
        }
        // In separate items the same names are of course fine.
        let two = "[" + item() + "," + item() + "]"
        #expect(jsonVerdict(Record().withItems(two, total: "\"2.00\"").line) == .accepted)
    }

    @Test("repeated unknown fields are ignored, also known names inside unknown objects")
    func duplicateUnknownFields() {
        let line = Record().with("note", "1").line.dropLast() + #","note":"x","note":{"tx_id":1,"tx_id":2}}"#
        #expect(jsonVerdict(String(line)) == .accepted)
        let itemWithExtras = #"[{"sku":"A","x":1,"x":2,"qty":1,"unit_price":"1.00","x":[{"sku":1,"sku":2}]}]"#
        #expect(jsonVerdict(Record().withItems(itemWithExtras, total: "\"1.00\"").line) == .accepted)
    }

    @Test("keys compare after unescaping: tx\\u005fid is tx_id")
    func escapedKeys() throws {
        let escaped = Record().with("tx_id", nil).line.dropLast() + #","tx\u005fid":"T-1"}"#
        #expect(try decodeJSON(String(escaped)).get().txID == "T-1")
        let duplicate = Record().line.dropLast() + #","tx\u005fid":"T-1"}"#
        #expect(jsonVerdict(String(duplicate)) == .rejected(.malformedJSON))
        let escapedItemKey = #"[{"\u0073ku":"A","qty":1,"unit_price":"1.00","sk\u0075":"B"}]"#
        #expect(jsonVerdict(Record().withItems(escapedItemKey, total: "\"1.00\"").line) == .rejected(.malformedJSON))
    }

    // MARK: not_an_object

    @Test("a valid JSON value that is not an object is not_an_object", arguments: [
        "[]", "[{\"tx_id\":\"a\"}]", "\"tx\"", "1", "-0.5e3", "null", "true", "false", "  []  ",
    ])
    func notAnObject(_ line: String) {
        #expect(jsonVerdict(line) == .rejected(.notAnObject))
    }

    // MARK: fields in table order

    @Test("every required field, when absent, is missing_field on that field", arguments: [
        "tx_id", "store_id", "terminal_id", "event_time", "currency", "items", "total",
    ])
    func missingField(_ key: String) {
        #expect(jsonVerdict(Record().with(key, nil).line) == .rejected(.missingField, key))
    }

    @Test("an empty object lacks tx_id first")
    func emptyObject() {
        #expect(jsonVerdict("{}") == .rejected(.missingField, "tx_id"))
        #expect(jsonVerdict(" { } \r") == .rejected(.missingField, "tx_id"))
    }

    @Test("kind and payment may be absent")
    func optionalFields() throws {
        #expect(try decodeJSON(Record().with("kind", nil).line).get().kind == .sale)
        #expect(jsonVerdict(Record().with("payment", nil).line) == .accepted)
    }

    @Test("every field that is null is bad_field on that field", arguments: [
        "tx_id", "store_id", "terminal_id", "event_time", "kind", "currency", "items", "total", "payment",
    ])
    func nullField(_ key: String) {
        #expect(jsonVerdict(Record().with(key, "null").line) == .rejected(.badField, key))
    }

    @Test("the first failing field in table order is the one reported", arguments: [
        (["tx_id": "5", "currency": "\"XXX\""], Verdict.rejected(.badField, "tx_id")),
        (["store_id": nil, "event_time": "true"], .rejected(.missingField, "store_id")),
        (["terminal_id": "\"\"", "store_id": "[]"], .rejected(.badField, "store_id")),
        (["event_time": "1", "kind": "\"gift\""], .rejected(.badField, "event_time")),
        (["kind": "\"gift\"", "currency": nil], .rejected(.badField, "kind")),
        (["currency": "\"XXX\"", "items": "[]"], .rejected(.unknownCurrency, "currency")),
        (["currency": "7", "items": "[]"], .rejected(.badField, "currency")),
        (["items": "[]", "total": "\"x\""], .rejected(.badField, "items")),
        (["total": "\"x\"", "payment": "1"], .rejected(.badField, "total")),
        (["total": "\"99.99\"", "payment": "1"], .rejected(.badField, "payment")),
    ] as [([String: String?], Verdict)])
    func tableOrder(changes: [String: String?], expected: Verdict) {
        var record = Record()
        for (key, value) in changes { record = record.with(key, value) }
        #expect(jsonVerdict(record.line, .reject) == expected)
    }

    @Test("total_mismatch comes after every field rule")
    func mismatchLast() {
        let line = Record().with("total", "\"1.00\"").with("payment", "false").line
        #expect(jsonVerdict(line, .reject) == .rejected(.badField, "payment"))
    }
}
