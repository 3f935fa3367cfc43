import Dataflow
import Testing
@testable import Jobs

/// Spec sections 2 and 3: the canonical output lines, byte for byte.
@Suite("Canonical JSON of validated transactions and dead letters")
struct TransactionJSONTests {
    func line(_ tx: Transaction, lateByMs: Int64? = nil) -> String {
        var out: [UInt8] = []
        tx.writeJSON(into: &out, lateByMs: lateByMs)
        return out.text
    }

    func line(_ dead: DeadLetter, source: String = "tx-2026-11-21.jsonl") -> String {
        var out: [UInt8] = []
        dead.writeJSON(into: &out, sourceName: source)
        return out.text
    }

    @Test("the spec's example, validated, is written exactly as section 2 shows it")
    func specExample() throws {
        let tx = try decodeJSON(Record().line).get()
        #expect(line(tx) == #"{"tx_id":"s0042-t03-000918","store_id":"store-0042","terminal_id":"t03","event_time":1795256102120,"kind":"sale","currency":"EUR","items":[{"sku":"SKU-00017","qty":2,"unit_price_minor":199},{"sku":"SKU-00321","qty":1,"unit_price_minor":1250}],"total_minor":1648,"corrected":false}"# + "\n")
    }

    @Test("a corrected refund carries its original total; a late record its lateness, last")
    func correctedAndLate() throws {
        let tx = try decodeJSON(Record().with("kind", "\"refund\"").with("currency", "\"JPY\"")
            .withItems("[" + item(sku: "\"A\"", qty: "3", price: "100") + "]", total: "\"299\"").line).get()
        #expect(line(tx, lateByMs: 1500) == #"{"tx_id":"s0042-t03-000918","store_id":"store-0042","terminal_id":"t03","event_time":1795256102120,"kind":"refund","currency":"JPY","items":[{"sku":"A","qty":3,"unit_price_minor":100}],"total_minor":300,"corrected":true,"original_total_minor":299,"late_by_ms":1500}"# + "\n")
        #expect(line(tx, lateByMs: 0).hasSuffix(#","late_by_ms":0}"# + "\n"))
    }

    @Test("a CSV row is written with empty items and its item_count before total_minor")
    func csvRow() throws {
        let header = Array("tx_id,store_id,terminal_id,event_time_ms,kind,currency,total_minor,item_count".utf8)
        let layout = try header.withUnsafeBytes { try CSVLayout(header: $0) }
        let row = "s1,store-0042,t03,1795256102120,,KWD,1500,4"
        let tx = try TransactionDecoder(totalMismatch: .correct)
            .decodeCSV(origin: origin(row), fullLength: row.utf8.count, layout: layout).get()
        #expect(line(tx) == #"{"tx_id":"s1","store_id":"store-0042","terminal_id":"t03","event_time":1795256102120,"kind":"sale","currency":"KWD","items":[],"item_count":4,"total_minor":1500,"corrected":false}"# + "\n")
    }

    @Test("strings are JSON-escaped on output")
    func escaping() throws {
        let tx = try decodeJSON(Record().with("tx_id", #""q\"b\\s\u0001t\té""#).line).get()
        #expect(line(tx).hasPrefix(#"{"tx_id":"q\"b\\s\u0001t\té","#))
    }

    @Test("a dead letter: reason, field, detail, source name:line, raw")
    func deadLetter() {
        let raw = #"{"tx_id":"a","items":[{"qty":"2"}]}"#
        let dead = DeadLetter(Rejection(.badField, field: "items[0].qty", detail: "must be an integer in 1...10000"),
                              origin: origin(raw, lineNumber: 1841))
        #expect(line(dead) == #"{"reason":"bad_field","field":"items[0].qty","detail":"must be an integer in 1...10000","source":"tx-2026-11-21.jsonl:1841","raw":"{\"tx_id\":\"a\",\"items\":[{\"qty\":\"2\"}]}"}"# + "\n")
    }

    @Test("a dead letter found before any field is read has no field")
    func deadLetterWithoutField() {
        let dead = DeadLetter(Rejection(.malformedJSON, detail: "unexpected end of input at byte 3"), origin: origin("{\"a", lineNumber: 7))
        #expect(line(dead, source: "in.jsonl") == #"{"reason":"malformed_json","detail":"unexpected end of input at byte 3","source":"in.jsonl:7","raw":"{\"a"}"# + "\n")
    }

    @Test("raw keeps the first 4096 bytes; a character cut in half becomes U+FFFD")
    func rawCutAt4096() {
        // 4095 ASCII bytes, then "€" (E2 82 AC) straddling the cut, then more.
        let bytes = [UInt8](repeating: UInt8(ascii: "a"), count: 4095) + Array("€tail".utf8)
        let dead = DeadLetter(Rejection(.tooLarge, detail: "x"), origin: origin(bytes))
        #expect(line(dead).hasSuffix(#""raw":""# + String(repeating: "a", count: 4095) + "\u{FFFD}\"}\n"))
        // A stored line already cut to 4096 bytes gives the same.
        let cut = DeadLetter(Rejection(.tooLarge, detail: "x"), origin: origin(Array(bytes.prefix(4096))))
        #expect(line(cut) == line(dead))
        // Exactly at a character boundary nothing is replaced.
        let whole = [UInt8](repeating: UInt8(ascii: "a"), count: 4093) + Array("€tail".utf8)
        #expect(line(DeadLetter(Rejection(.tooLarge, detail: "x"), origin: origin(whole)))
            .hasSuffix(String(repeating: "a", count: 4093) + "€\"}\n"))
    }

    @Test("invalid UTF-8 in raw is replaced by U+FFFD, one per maximal invalid subpart")
    func rawInvalidBytes() {
        let bytes: [UInt8] = [UInt8(ascii: "a"), 0xFF, UInt8(ascii: "b"), 0xE2, 0x82, UInt8(ascii: "c"), 0xC0, 0xAF,
                              0xED, 0xA0, 0x80, UInt8(ascii: "\"")]
        let dead = DeadLetter(Rejection(.badEncoding, detail: "invalid UTF-8 at byte 1"), origin: origin(bytes))
        #expect(line(dead).hasSuffix(#""raw":"a\#u{FFFD}b\#u{FFFD}c\#u{FFFD}\#u{FFFD}\#u{FFFD}\#u{FFFD}\#u{FFFD}\""}"# + "\n"))
    }

    @Test("a decoder rejection turns into the dead letter line end to end")
    func endToEnd() {
        let raw = Record().with("currency", "\"eur\"").line
        guard case .failure(let rejection) = decodeJSON(raw) else {
            Issue.record("expected a rejection")
            return
        }
        let text = line(DeadLetter(rejection, origin: origin(raw, lineNumber: 3)), source: "a.jsonl")
        #expect(text.hasPrefix(#"{"reason":"unknown_currency","field":"currency","detail":"#))
        #expect(text.contains(#""source":"a.jsonl:3","raw":"{\"tx_id\""#))
    }
}
