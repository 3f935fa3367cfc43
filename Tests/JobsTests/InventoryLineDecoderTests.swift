import Dataflow
import Testing
@testable import Jobs

// MARK: - Support

/// What the mixed-stream decoder made of a line, in the terms a test states.
enum MixedVerdict: Equatable, CustomStringConvertible {
    case transaction
    case event
    case rejected(RejectReason, String?)

    static func rejected(_ reason: RejectReason) -> MixedVerdict { .rejected(reason, nil) }

    var description: String {
        switch self {
        case .transaction: "transaction"
        case .event: "event"
        case .rejected(let reason, let field): "\(reason.rawValue)\(field.map { " on \($0)" } ?? "")"
        }
    }
}

func mixedDecode(_ line: String, lineNumber: Int64 = 1) -> MixedLine {
    InventoryLineDecoder().decode(origin: origin(line, lineNumber: lineNumber), fullLength: line.utf8.count)
}

func mixedDecode(bytes: [UInt8]) -> MixedLine {
    InventoryLineDecoder().decode(origin: origin(bytes), fullLength: bytes.count)
}

func mixedVerdict(_ result: MixedLine) -> MixedVerdict {
    switch result {
    case .transaction: .transaction
    case .event: .event
    case .rejected(let r): .rejected(r.reason, r.field)
    }
}

func mixedVerdict(_ line: String) -> MixedVerdict { mixedVerdict(mixedDecode(line)) }

struct NotAnEvent: Error, CustomStringConvertible {
    var verdict: MixedVerdict
    var description: String { "expected an event, got \(verdict)" }
}

/// The event a line decodes to; throws when it is anything else.
func inventoryEvent(_ line: String, lineNumber: Int64 = 1) throws -> InventoryEvent {
    let result = mixedDecode(line, lineNumber: lineNumber)
    guard case .event(let event) = result else { throw NotAnEvent(verdict: mixedVerdict(result)) }
    return event
}

/// An inventory event line built from one of the spec's examples (section 5), one
/// member replaced, removed or added at a time. Values are raw JSON text.
struct EventLine {
    var members: [(key: String, value: String)]

    static let stockSet = EventLine(members: [
        ("type", #""stock_set""#), ("event_id", #""e1""#), ("location", #""store-0042""#),
        ("sku", #""SKU-00017""#), ("qty", "120"), ("event_time", "1795256000000"),
    ])
    static let stockAdjust = EventLine(members: [
        ("type", #""stock_adjust""#), ("event_id", #""e2""#), ("location", #""store-0042""#),
        ("sku", #""SKU-00017""#), ("delta", "-3"), ("event_time", "1795256001000"),
    ])
    static let reserve = EventLine(members: [
        ("type", #""reserve""#), ("reservation_id", #""r-77""#), ("order_id", #""o-77""#), ("location", #""store-0042""#),
        ("lines", #"[{"sku":"SKU-00017","qty":2},{"sku":"SKU-00321","qty":1}]"#), ("ttl_ms", "900000"),
        ("event_time", "1795256002000"),
    ])
    static let commit = EventLine(members: [
        ("type", #""commit""#), ("reservation_id", #""r-77""#), ("location", #""store-0042""#),
        ("event_time", "1795256100000"),
    ])
    static let release = EventLine(members: [
        ("type", #""release""#), ("reservation_id", #""r-77""#), ("location", #""store-0042""#),
        ("event_time", "1795256100000"),
    ])

    static let all: [(String, EventLine)] = [
        ("stock_set", stockSet), ("stock_adjust", stockAdjust), ("reserve", reserve), ("commit", commit), ("release", release),
    ]

    /// `value` replaces the member's value, `nil` removes it; an unknown key is appended.
    func with(_ key: String, _ value: String?) -> EventLine {
        var copy = self
        if let k = copy.members.firstIndex(where: { $0.key == key }) {
            if let value { copy.members[k].value = value } else { copy.members.remove(at: k) }
        } else if let value {
            copy.members.append((key, value))
        }
        return copy
    }

    /// Appends a member even when the key is already there.
    func adding(_ key: String, _ value: String) -> EventLine {
        var copy = self
        copy.members.append((key, value))
        return copy
    }

    /// The fields after `type`, in the order their rules are checked.
    var checkedFields: [String] { members.map(\.key).filter { $0 != "type" } }

    var line: String { "{" + members.map { "\"\($0.key)\":\($0.value)" }.joined(separator: ",") + "}" }
}

func reservationLine(sku: String = #""SKU-1""#, qty: String = "1") -> String {
    #"{"sku":\#(sku),"qty":\#(qty)}"#
}

// MARK: - Decoding the spec's examples

@Suite("Inventory line decoder: the spec's examples")
struct InventoryLineDecoderExampleTests {
    @Test("stock_set")
    func stockSet() throws {
        let e = try inventoryEvent(#"{"type":"stock_set","event_id":"e1","location":"store-0042","sku":"SKU-00017","qty":120,"event_time":1795256000000}"#,
                                   lineNumber: 7)
        #expect(e.action == .stockSet(eventID: "e1", sku: "SKU-00017", qty: 120))
        #expect(e.location == "store-0042")
        #expect(e.eventTime == 1_795_256_000_000)
        #expect(e.origin.lineNumber == 7)
    }

    @Test("stock_adjust")
    func stockAdjust() throws {
        let e = try inventoryEvent(#"{"type":"stock_adjust","event_id":"e2","location":"store-0042","sku":"SKU-00017","delta":-3,"event_time":1795256001000}"#)
        #expect(e.action == .stockAdjust(eventID: "e2", sku: "SKU-00017", delta: -3))
        #expect(e.location == "store-0042")
        #expect(e.eventTime == 1_795_256_001_000)
    }

    @Test("reserve (the example's two physical lines joined)")
    func reserve() throws {
        let e = try inventoryEvent(#"{"type":"reserve","reservation_id":"r-77","order_id":"o-77","location":"store-0042", "lines":[{"sku":"SKU-00017","qty":2},{"sku":"SKU-00321","qty":1}],"ttl_ms":900000,"event_time":1795256002000}"#)
        #expect(e.action == .reserve(reservationID: "r-77", orderID: "o-77",
                                     lines: [ReservationLine(sku: "SKU-00017", qty: 2), ReservationLine(sku: "SKU-00321", qty: 1)],
                                     ttlMs: 900_000))
        #expect(e.location == "store-0042")
        #expect(e.eventTime == 1_795_256_002_000)
    }

    @Test("commit")
    func commit() throws {
        let e = try inventoryEvent(#"{"type":"commit","reservation_id":"r-77","location":"store-0042","event_time":1795256100000}"#)
        #expect(e.action == .commit(reservationID: "r-77"))
        #expect(e.location == "store-0042")
        #expect(e.eventTime == 1_795_256_100_000)
    }

    @Test("release")
    func release() throws {
        let e = try inventoryEvent(#"{"type":"release","reservation_id":"r-77","location":"store-0042","event_time":1795256100000}"#)
        #expect(e.action == .release(reservationID: "r-77"))
        #expect(e.location == "store-0042")
        #expect(e.eventTime == 1_795_256_100_000)
    }

    @Test("the templates of these tests are the examples and decode", arguments: EventLine.all)
    func templatesDecode(name: String, template: EventLine) {
        #expect(mixedVerdict(template.line) == .event)
    }

    @Test("members in any order, with whitespace around every token")
    func anyOrderAndWhitespace() throws {
        let reversed = EventLine(members: EventLine.reserve.members.reversed())
        let spaced = " \t{ " + reversed.members.map { "\"\($0.key)\" :\r\n \($0.value) " }.joined(separator: " , ") + " }\t "
        let e = try inventoryEvent(spaced)
        let expected = try inventoryEvent(EventLine.reserve.line)
        #expect(e.action == expected.action && e.location == expected.location && e.eventTime == expected.eventTime)
    }

    @Test("strings and keys are unescaped")
    func unescaping() throws {
        let e = try inventoryEvent(#"{"typ\u0065":"st\u006fck_set","event\u005fid":"e\"1\\","loc\u0061tion":"st\u00f6re \ud83d\ude00","sku":"a\/b","qty":1,"event_time":1795256000000}"#)
        #expect(e.action == .stockSet(eventID: "e\"1\\", sku: "a/b", qty: 1))
        #expect(e.location == "störe 😀")
    }

    @Test("repeated SKUs in lines are kept as written (merging is the job's)")
    func repeatedSKUsKept() throws {
        let lines = "[" + reservationLine(sku: #""A""#, qty: "2") + "," + reservationLine(sku: #""A""#, qty: "3") + "]"
        let e = try inventoryEvent(EventLine.reserve.with("lines", lines).line)
        guard case .reserve(_, _, let got, _) = e.action else { Issue.record("not a reserve"); return }
        #expect(got == [ReservationLine(sku: "A", qty: 2), ReservationLine(sku: "A", qty: 3)])
    }
}

// MARK: - Transactions versus events

@Suite("Inventory line decoder: telling transactions from events")
struct InventoryLineClassificationTests {
    @Test("a top-level tx_id key makes a transaction, whatever its value and whatever else the line holds", arguments: [
        #"{"tx_id":5}"#,
        #"{"tx\u005fid":"x","type":"reserve"}"#,
        #"{"tx_id":null}"#,
        #"{"tx_id":{}}"#,
        #"{"type":"stock_set","event_id":"e1","location":"store-0042","sku":"SKU-00017","qty":120,"event_time":1795256000000,"tx_id":""}"#,
        #"{"tx_id":"s0042-t03-000918","store_id":"store-0042","terminal_id":"t03","event_time":"2026-11-21T10:15:02.120Z","kind":"sale","currency":"EUR","items":[{"sku":"SKU-00017","qty":2,"unit_price":"1.99"},{"sku":"SKU-00321","qty":1,"unit_price":12.5}],"total":"16.48","payment":"card"}"#,
    ])
    func transactions(line: String) {
        #expect(mixedVerdict(line) == .transaction)
    }

    @Test("no tx_id at top level: an inventory event, judged by its type", arguments: [
        (#"{}"#, MixedVerdict.rejected(.missingField, "type")),
        (#"{"store_id":"s","total":"1.00"}"#, .rejected(.missingField, "type")),
        (#"{"TX_ID":1}"#, .rejected(.missingField, "type")),
        (#"{"tx_id ":1}"#, .rejected(.missingField, "type")),
        (#"{"txid":1,"type":"nope"}"#, .rejected(.badField, "type")),
        (EventLine.commit.with("meta", #"{"tx_id":"x"}"#).line, .event),
        (EventLine.commit.with("list", #"[{"tx_id":"x"}]"#).line, .event),
        (EventLine.reserve.with("lines", #"[{"sku":"A","qty":1,"tx_id":"x"}]"#).line, .event),
    ])
    func events(line: String, expected: MixedVerdict) {
        #expect(mixedVerdict(line) == expected)
    }

    @Test("a line that fails before any field is read is rejected, tx_id or not", arguments: [
        (#"{"tx_id":1"#, MixedVerdict.rejected(.malformedJSON)),
        (#"{"tx_id":1} x"#, .rejected(.malformedJSON)),
        (#"{"tx_id":1,"tx_id":2}"#, .rejected(.malformedJSON)),
        (#"{"tx_id":1,"tx\u005fid":2}"#, .rejected(.malformedJSON)),
        (#"{"tx_id":"\ud800"}"#, .rejected(.malformedJSON)),
        (#"[{"tx_id":1}]"#, .rejected(.notAnObject)),
        (#""tx_id""#, .rejected(.notAnObject)),
    ])
    func rejectedBeforeClassification(line: String, expected: MixedVerdict) {
        #expect(mixedVerdict(line) == expected)
    }

    @Test("invalid UTF-8 in a transaction line is bad_encoding")
    func badEncodingTransaction() {
        let bytes = Array(#"{"tx_id":""#.utf8) + [0xFF] + Array(#""}"#.utf8)
        #expect(mixedVerdict(mixedDecode(bytes: bytes)) == .rejected(.badEncoding))
    }

    @Test("a transaction may repeat names only inventory events know (they are unknown fields to it)", arguments: [
        #"{"tx_id":"a","type":"x","type":"y"}"#,
        #"{"type":1,"qty":1,"qty":2,"tx_id":"a"}"#,
        #"{"tx_id":"a","lines":[{"sku":"A","sku":"B"}]}"#,
    ])
    func transactionWithRepeatedInventoryNames(line: String) {
        #expect(mixedVerdict(line) == .transaction)
    }

    @Test("... but the repeat is malformed_json when there is no tx_id, or the line is broken elsewhere", arguments: [
        #"{"type":"x","type":"y"}"#,
        #"{"type":"x","type":"y","meta":{"tx_id":1}}"#,
        #"{"tx_id":"a","type":"x","type":"y""#,
        #"{"tx_id":"a","type":"x","type":"y","tx_id":"b"}"#,
    ])
    func repeatWithoutTransaction(line: String) {
        #expect(mixedVerdict(line) == .rejected(.malformedJSON))
    }
}

// MARK: - Reasons found before any field, and their order

@Suite("Inventory line decoder: reasons before the fields")
struct InventoryLineSyntaxTests {
    @Test("a line over 1 MiB is too_large, before looking at its (truncated, broken) bytes")
    func tooLarge() {
        var stored = Array(#"{"type":""#.utf8)
        stored += [UInt8](repeating: 0xFF, count: 4096 - stored.count)
        let result = InventoryLineDecoder().decode(origin: origin(stored), fullLength: 1_048_577)
        #expect(mixedVerdict(result) == .rejected(.tooLarge))
        guard case .rejected(let r) = result else { return }
        #expect(r.field == nil && !r.detail.isEmpty)
    }

    @Test("exactly 1,048,576 bytes is not too large; one byte more is")
    func tooLargeBoundary() {
        let base = EventLine.commit.with("note", "\"\"").line
        let padding = 1_048_576 - base.utf8.count
        let line = EventLine.commit.with("note", "\"" + String(repeating: "x", count: padding) + "\"").line
        #expect(line.utf8.count == 1_048_576)
        #expect(mixedVerdict(line) == .event)
        let longer = EventLine.commit.with("note", "\"" + String(repeating: "x", count: padding + 1) + "\"").line
        #expect(mixedVerdict(longer) == .rejected(.tooLarge))
    }

    @Test("invalid UTF-8 anywhere is bad_encoding, and outranks malformed JSON", arguments: [
        Array(#"{"type":"commit","reservation_id":"r"#.utf8) + [0xC0, 0xAF] + Array(#"","location":"l","event_time":1795256100000}"#.utf8),
        Array(#"{"type":"#.utf8) + [0xED, 0xA0, 0x80] + Array(#"}"#.utf8),
        Array(#"{"type": oops "#.utf8) + [0xE2, 0x82],
        Array(EventLine.commit.line.utf8) + [0x80],
        [0xFF],
    ])
    func badEncoding(bytes: [UInt8]) {
        let result = mixedDecode(bytes: bytes)
        #expect(mixedVerdict(result) == .rejected(.badEncoding))
    }

    @Test("syntax errors, empty and blank lines are malformed_json", arguments: [
        "", " ", "\t \r", "{", "}", #"{"type":"commit",}"#, #"{"type" "commit"}"#, #"{'type':'commit'}"#,
        #"{"type":"commit"} {}"#, #"{"type":"commit","qty":01}"#, #"{"type":"commit","qty":1.}"#,
        #"{"type":"commit","qty":+1}"#, #"{"type":"commit","x":tru}"#, #"{"type":"co\mmit"}"#,
        "{\"type\":\"com\tmit\"}", #"{"type":"commit","lines":[{"sku":"a",}]}"#, #"{"type":"commit","lines":[1,]}"#,
    ])
    func malformed(line: String) {
        let result = mixedDecode(line)
        #expect(mixedVerdict(result) == .rejected(.malformedJSON))
        guard case .rejected(let r) = result else { return }
        #expect(r.field == nil && !r.detail.isEmpty)
    }

    @Test("a lone surrogate escape is malformed_json; a pair is fine", arguments: [
        (#""\ud83d""#, false), (#""\ude00""#, false), (#""\ud83dx""#, false), (#""\ud83d\u0041""#, false),
        (#""\ud83d\ude00""#, true),
    ])
    func surrogates(value: String, valid: Bool) {
        #expect(mixedVerdict(EventLine.commit.with("location", value).line) == (valid ? .event : .rejected(.malformedJSON)))
        // Also in a value nobody reads, and in a key.
        #expect(mixedVerdict(EventLine.commit.with("note", value).line) == (valid ? .event : .rejected(.malformedJSON)))
        #expect(mixedVerdict(EventLine.commit.with(String(value.dropFirst().dropLast()), "1").line)
            == (valid ? .event : .rejected(.malformedJSON)))
    }

    @Test("nesting: 64 levels are fine, 65 are malformed_json (the top-level object is level 1)")
    func depth() {
        func nested(_ n: Int) -> String { String(repeating: "[", count: n) + String(repeating: "]", count: n) }
        #expect(mixedVerdict(EventLine.commit.with("x", nested(63)).line) == .event)
        #expect(mixedVerdict(EventLine.commit.with("x", nested(64)).line) == .rejected(.malformedJSON))
        let objects = { (n: Int) in String(repeating: #"{"a":"#, count: n) + "1" + String(repeating: "}", count: n) }
        #expect(mixedVerdict(EventLine.commit.with("x", objects(63)).line) == .event)
        #expect(mixedVerdict(EventLine.commit.with("x", objects(64)).line) == .rejected(.malformedJSON))
        // Inside a reservation line: lines is level 2, the line object level 3.
        let deepLine = { (n: Int) in "[" + #"{"sku":"A","qty":1,"x":"# + nested(n) + "}]" }
        #expect(mixedVerdict(EventLine.reserve.with("lines", deepLine(61)).line) == .event)
        #expect(mixedVerdict(EventLine.reserve.with("lines", deepLine(62)).line) == .rejected(.malformedJSON))
        // A line too deep is malformed even when it is a transaction.
        #expect(mixedVerdict(#"{"tx_id":1,"x":"# + nested(64) + "}") == .rejected(.malformedJSON))
    }

    @Test("a known member twice in one object is malformed_json (names compared after unescaping)", arguments: [
        "type", "event_id", "reservation_id", "order_id", "location", "sku", "qty", "delta", "lines", "ttl_ms", "event_time",
    ])
    func repeatedKnownKey(key: String) {
        for (_, template) in EventLine.all {
            let value = template.members.first { $0.key == key }?.value ?? "1"
            #expect(mixedVerdict(template.with(key, value).adding(key, value).line) == .rejected(.malformedJSON), "\(key)")
        }
        let escaped = "\\u00" + String(key.utf8.first!, radix: 16) + String(key.dropFirst())
        #expect(mixedVerdict(EventLine.commit.with(key, "1").adding(escaped, "1").line) == .rejected(.malformedJSON), "\(escaped)")
    }

    @Test("a known member twice in one reservation line is malformed_json, even where lines is not read", arguments: [
        #"[{"sku":"A","qty":1,"sku":"A"}]"#, #"[{"sku":"A","qty":1,"q\u0074y":1}]"#,
        #"[{"sku":"A","qty":1},{"sku":"A","qty":1,"qty":1}]"#,
    ])
    func repeatedLineKey(lines: String) {
        #expect(mixedVerdict(EventLine.reserve.with("lines", lines).line) == .rejected(.malformedJSON))
        #expect(mixedVerdict(EventLine.commit.with("lines", lines).line) == .rejected(.malformedJSON))
    }

    @Test("unknown members may repeat, at top level and in lines")
    func repeatedUnknownKeys() {
        #expect(mixedVerdict(EventLine.commit.adding("note", "1").adding("note", "2").line) == .event)
        #expect(mixedVerdict(EventLine.reserve.with("lines", #"[{"sku":"A","n":1,"qty":1,"n":2}]"#).line) == .event)
        // sku and qty inside some other array's objects are not line fields
        #expect(mixedVerdict(EventLine.commit.with("other", #"[{"sku":"A","sku":"B"}]"#).line) == .event)
        #expect(mixedVerdict(EventLine.commit.with("meta", #"{"type":1,"type":2}"#).line) == .event)
    }

    @Test("a document that is not an object is not_an_object", arguments: [
        "[]", #"[{"type":"commit"}]"#, #""commit""#, "42", "-1.5e3", "true", "false", "null", " [1, 2] ",
    ])
    func notAnObject(line: String) {
        let result = mixedDecode(line)
        #expect(mixedVerdict(result) == .rejected(.notAnObject))
        guard case .rejected(let r) = result else { return }
        #expect(r.field == nil && !r.detail.isEmpty)
    }

    @Test("the order: too_large, bad_encoding, malformed_json, not_an_object, then fields")
    func reasonOrder() {
        let brokenAndBadBytes = Array("[1,".utf8) + [0xFF]
        #expect(mixedVerdict(InventoryLineDecoder().decode(origin: origin(brokenAndBadBytes), fullLength: 2_000_000))
            == .rejected(.tooLarge))
        #expect(mixedVerdict(mixedDecode(bytes: brokenAndBadBytes)) == .rejected(.badEncoding))
        #expect(mixedVerdict("[1,") == .rejected(.malformedJSON))
        #expect(mixedVerdict("[1]") == .rejected(.notAnObject))
        #expect(mixedVerdict(#"{"type":"commit","location":5}"#) == .rejected(.missingField, "reservation_id"))
    }
}

// MARK: - Fields: the order they are checked in

@Suite("Inventory line decoder: type first, then the fields in example order")
struct InventoryLineFieldOrderTests {
    @Test("type: absent is missing_field; null, not a string or an unknown name is bad_field", arguments: [
        (nil as String?, MixedVerdict.rejected(.missingField, "type")),
        ("null", .rejected(.badField, "type")), ("1", .rejected(.badField, "type")),
        (#"["commit"]"#, .rejected(.badField, "type")), ("true", .rejected(.badField, "type")),
        (#""""#, .rejected(.badField, "type")), (#""Commit""#, .rejected(.badField, "type")),
        (#""COMMIT""#, .rejected(.badField, "type")), (#""commit ""#, .rejected(.badField, "type")),
        (#""stock""#, .rejected(.badField, "type")), (#""stock_set_""#, .rejected(.badField, "type")),
        (#""expire""#, .rejected(.badField, "type")), (#""comm\u0069t""#, .event),
        (#""commis""#, .rejected(.badField, "type")), (#""xommit""#, .rejected(.badField, "type")),
        (#""reserv""#, .rejected(.badField, "type")), (#""releasE""#, .rejected(.badField, "type")),
        (#""rexease""#, .rejected(.badField, "type")), (#""stock_sex""#, .rejected(.badField, "type")),
        (#""stock_adjusT""#, .rejected(.badField, "type")), (#""stock_adjust_""#, .rejected(.badField, "type")),
    ])
    func type(value: String?, expected: MixedVerdict) {
        #expect(mixedVerdict(EventLine.commit.with("type", value).line) == expected)
    }

    @Test("each type name selects its own rules", arguments: EventLine.all)
    func typeNames(name: String, template: EventLine) throws {
        let e = try inventoryEvent(template.line)
        let decoded: String
        switch e.action {
        case .stockSet: decoded = "stock_set"
        case .stockAdjust: decoded = "stock_adjust"
        case .reserve: decoded = "reserve"
        case .commit: decoded = "commit"
        case .release: decoded = "release"
        }
        #expect(decoded == name)
        // The same line with the type as the last member, where the string ends the line.
        let last = EventLine(members: template.members.filter { $0.key != "type" } + [("type", "\"\(name)\"")])
        #expect(mixedVerdict(last.line) == .event)
    }

    @Test("type is checked before every other field", arguments: EventLine.all)
    func typeFirst(name: String, template: EventLine) {
        var broken = template
        for key in template.checkedFields { broken = broken.with(key, "null") }
        #expect(mixedVerdict(broken.with("type", #""nope""#).line) == .rejected(.badField, "type"))
        #expect(mixedVerdict(broken.with("type", nil).line) == .rejected(.missingField, "type"))
        #expect(mixedVerdict(broken.line) == .rejected(.badField, template.checkedFields[0]))
    }

    @Test("every field of every type: the first broken one is reported (bad_field, present but null)",
          arguments: EventLine.all)
    func firstBadFieldWins(name: String, template: EventLine) {
        let fields = template.checkedFields
        for k in fields.indices {
            var line = template
            for key in fields[k...] { line = line.with(key, "null") }
            #expect(mixedVerdict(line.line) == .rejected(.badField, fields[k]), "\(name): \(fields[k]) onward null")
        }
    }

    @Test("every required field of every type: the first absent one is reported (missing_field)",
          arguments: EventLine.all)
    func firstMissingFieldWins(name: String, template: EventLine) {
        let fields = template.checkedFields
        for k in fields.indices {
            var line = template
            for key in fields[k...] { line = line.with(key, nil) }
            let firstRequired = fields[k...].first { $0 != "ttl_ms" }!
            #expect(mixedVerdict(line.line) == .rejected(.missingField, firstRequired), "\(name): \(fields[k]) onward absent")
        }
    }

    @Test("a reserve with a bad location and empty lines reports location")
    func reserveLocationBeforeLines() {
        #expect(mixedVerdict(EventLine.reserve.with("location", #""""#).with("lines", "[]").line)
            == .rejected(.badField, "location"))
    }

    @Test("within lines: element by element, sku before qty; lines before ttl_ms before event_time")
    func linesOrder() {
        let r = EventLine.reserve
        let badBoth = "[" + reservationLine(sku: "1", qty: "0") + "]"
        #expect(mixedVerdict(r.with("lines", badBoth).line) == .rejected(.badField, "lines[0].sku"))
        let secondBad = "[" + reservationLine(qty: "0") + "," + reservationLine(sku: "null") + "]"
        #expect(mixedVerdict(r.with("lines", secondBad).line) == .rejected(.badField, "lines[0].qty"))
        let laterBad = "[" + reservationLine() + "," + reservationLine(sku: "null") + "," + reservationLine(qty: "0") + "]"
        #expect(mixedVerdict(r.with("lines", laterBad).line) == .rejected(.badField, "lines[1].sku"))
        #expect(mixedVerdict(r.with("lines", "[5]").with("ttl_ms", "0").with("event_time", "null").line)
            == .rejected(.badField, "lines[0]"))
        #expect(mixedVerdict(r.with("ttl_ms", "0").with("event_time", "null").line) == .rejected(.badField, "ttl_ms"))
        #expect(mixedVerdict(r.with("ttl_ms", nil).with("event_time", "null").line) == .rejected(.badField, "event_time"))
        #expect(mixedVerdict(r.with("lines", #"[{"qty":1}]"#).line) == .rejected(.missingField, "lines[0].sku"))
        #expect(mixedVerdict(r.with("lines", #"[{"sku":"A"}]"#).line) == .rejected(.missingField, "lines[0].qty"))
        #expect(mixedVerdict(r.with("lines", #"[{}]"#).line) == .rejected(.missingField, "lines[0].sku"))
    }

    @Test("an expiry that would overflow 64 bits is bad_field on ttl_ms, after event_time is read")
    func expiryOverflow() {
        let r = EventLine.reserve.with("event_time", "1795256002000")
        #expect(mixedVerdict(r.with("ttl_ms", "9223372036854775807").line) == .rejected(.badField, "ttl_ms"))
        // The largest TTL that fits is a reservation like any other.
        #expect(mixedVerdict(r.with("ttl_ms", String(Int64.max - 1_795_256_002_000)).line) == .event)
        // A bad event_time is reported first: the sum needs it.
        #expect(mixedVerdict(r.with("ttl_ms", "9223372036854775807").with("event_time", "1.5").line)
            == .rejected(.badField, "event_time"))
    }

    @Test("fields not of the event's type are ignored, whatever their value")
    func foreignFieldsIgnored() throws {
        let junk: [(String, String)] = [
            ("event_id", "1"), ("reservation_id", "null"), ("order_id", "[]"), ("sku", #""""#), ("qty", #""x""#),
            ("delta", "1.5"), ("lines", "[]"), ("ttl_ms", "0"),
        ]
        for (name, template) in EventLine.all {
            var line = template
            for (key, value) in junk where !template.members.contains(where: { $0.key == key }) {
                line = line.with(key, value)
            }
            #expect(mixedVerdict(line.line) == .event, "\(name): \(line.line)")
        }
        let e = try inventoryEvent(EventLine.commit.with("qty", "5").with("lines", "7").line)
        #expect(e.action == .commit(reservationID: "r-77"))
    }
}

// MARK: - Fields: the rule of each

@Suite("Inventory line decoder: field rules")
struct InventoryLineFieldRuleTests {
    static let a64 = String(repeating: "a", count: 64)
    static let e64 = String(repeating: "é", count: 64)  // 128 bytes
    static let euro64 = String(repeating: "€", count: 64)  // 192 bytes
    static let emoji64 = String(repeating: "😀", count: 64)  // 256 bytes

    /// Every identifier of every type: (template, key) pairs.
    static let identifierFields: [(EventLine, String)] = [
        (.stockSet, "event_id"), (.stockSet, "location"), (.stockSet, "sku"),
        (.stockAdjust, "event_id"), (.stockAdjust, "location"), (.stockAdjust, "sku"),
        (.reserve, "reservation_id"), (.reserve, "order_id"), (.reserve, "location"),
        (.commit, "reservation_id"), (.commit, "location"), (.release, "reservation_id"), (.release, "location"),
    ]

    @Test("ids, location, sku: strings of 1...64 code points, counted after unescaping", arguments: [
        ("\"a\"", true), ("\"\(a64)\"", true), ("\"\(a64)a\"", false), ("\"\"", false),
        ("\"\(e64)\"", true), ("\"\(e64)é\"", false), ("\"\(euro64)\"", true), ("\"\(euro64)€\"", false),
        ("\"\(emoji64)\"", true), ("\"\(emoji64)😀\"", false),
        ("\"" + String(repeating: "\\u00e9", count: 64) + "\"", true),
        ("\"" + String(repeating: "\\u00e9", count: 65) + "\"", false),
        ("\"" + String(repeating: "\\ud83d\\ude00", count: 64) + "\"", true),
        ("\"" + String(repeating: "\\ud83d\\ude00", count: 65) + "\"", false),
        ("\"" + String(repeating: "\\n", count: 64) + "\"", true),
        ("42", false), ("null", false), ("true", false), ("[\"a\"]", false), ("{}", false),
    ])
    func identifiers(value: String, valid: Bool) throws {
        for (template, key) in Self.identifierFields {
            #expect(mixedVerdict(template.with(key, value).line) == (valid ? .event : .rejected(.badField, key)),
                    "\(key) of \(template.members[0].value)")
        }
        let lines = "[" + reservationLine() + "," + reservationLine(sku: value) + "]"
        #expect(mixedVerdict(EventLine.reserve.with("lines", lines).line)
            == (valid ? .event : .rejected(.badField, "lines[1].sku")))
    }

    @Test("an identifier of 64 multi-byte code points is kept whole")
    func multiByteIdentifierKept() throws {
        let e = try inventoryEvent(EventLine.commit.with("location", "\"\(Self.emoji64)\"").with("reservation_id", "\"\(Self.euro64)\"").line)
        #expect(e.location == Self.emoji64)
        #expect(e.action == .commit(reservationID: Self.euro64))
    }

    @Test("stock_set qty: an integer literal >= 0", arguments: [
        ("0", Int64?.some(0)), ("120", 120), ("9223372036854775807", .max), ("-0", 0),
        ("-1", nil), ("9223372036854775808", nil), ("99999999999999999999999", nil), ("2.0", nil), ("1e2", nil),
        ("1E2", nil), ("0.5", nil), (#""2""#, nil), ("null", nil), ("true", nil), ("[1]", nil), ("{}", nil),
    ])
    func stockQuantity(value: String, expected: Int64?) throws {
        let line = EventLine.stockSet.with("qty", value).line
        if let expected {
            #expect(try inventoryEvent(line).action == .stockSet(eventID: "e1", sku: "SKU-00017", qty: expected))
        } else {
            #expect(mixedVerdict(line) == .rejected(.badField, "qty"))
        }
    }

    @Test("stock_adjust delta: any integer literal in Int64, negative and 0 included", arguments: [
        ("-3", Int64?.some(-3)), ("0", 0), ("5", 5), ("-9223372036854775808", .min), ("9223372036854775807", .max),
        ("-9223372036854775809", nil), ("9223372036854775808", nil), ("-3.0", nil), ("-3e0", nil), (#""-3""#, nil),
        ("null", nil), ("false", nil),
    ])
    func delta(value: String, expected: Int64?) throws {
        let line = EventLine.stockAdjust.with("delta", value).line
        if let expected {
            #expect(try inventoryEvent(line).action == .stockAdjust(eventID: "e2", sku: "SKU-00017", delta: expected))
        } else {
            #expect(mixedVerdict(line) == .rejected(.badField, "delta"))
        }
    }

    @Test("a reservation line's qty: an integer literal >= 1", arguments: [
        ("1", Int64?.some(1)), ("2", 2), ("9223372036854775807", .max),
        ("0", nil), ("-1", nil), ("-0", nil), ("1.0", nil), ("1e0", nil), (#""1""#, nil), ("null", nil),
        ("9223372036854775808", nil),
    ])
    func lineQuantity(value: String, expected: Int64?) throws {
        let line = EventLine.reserve.with("lines", "[" + reservationLine(sku: #""A""#, qty: value) + "]").line
        if let expected {
            #expect(try inventoryEvent(line).action
                == .reserve(reservationID: "r-77", orderID: "o-77", lines: [ReservationLine(sku: "A", qty: expected)], ttlMs: 900_000))
        } else {
            #expect(mixedVerdict(line) == .rejected(.badField, "lines[0].qty"))
        }
    }

    @Test("lines: an array of at least one object", arguments: [
        ("[]", MixedVerdict.rejected(.badField, "lines")), ("[ ]", .rejected(.badField, "lines")),
        ("null", .rejected(.badField, "lines")), (#"{"sku":"A","qty":1}"#, .rejected(.badField, "lines")),
        (#""[]""#, .rejected(.badField, "lines")), ("3", .rejected(.badField, "lines")),
        ("[1]", .rejected(.badField, "lines[0]")), ("[null]", .rejected(.badField, "lines[0]")),
        (#"[["A",1]]"#, .rejected(.badField, "lines[0]")),
        (#"[{"sku":"A","qty":1},"B"]"#, .rejected(.badField, "lines[1]")),
        (#"[{"sku":"A","qty":1}]"#, .event),
    ])
    func lines(value: String, expected: MixedVerdict) {
        #expect(mixedVerdict(EventLine.reserve.with("lines", value).line) == expected)
    }

    @Test("ttl_ms: optional; when present an integer literal >= 1", arguments: [
        (nil as String?, MixedVerdict.event, Int64?.none), ("1", .event, 1), ("900000", .event, 900_000),
        ("9000000000000000000", .event, 9_000_000_000_000_000_000),
        ("9223372036854775807", .rejected(.badField, "ttl_ms"), nil),  // its expiry would overflow
        ("0", .rejected(.badField, "ttl_ms"), nil), ("-1", .rejected(.badField, "ttl_ms"), nil),
        ("null", .rejected(.badField, "ttl_ms"), nil), (#""900000""#, .rejected(.badField, "ttl_ms"), nil),
        ("9e5", .rejected(.badField, "ttl_ms"), nil), ("900000.0", .rejected(.badField, "ttl_ms"), nil),
        ("9223372036854775808", .rejected(.badField, "ttl_ms"), nil),
    ])
    func ttl(value: String?, expected: MixedVerdict, ttl: Int64?) throws {
        let line = EventLine.reserve.with("ttl_ms", value).line
        #expect(mixedVerdict(line) == expected)
        if expected == .event {
            guard case .reserve(_, _, _, let got) = try inventoryEvent(line).action else { Issue.record("not a reserve"); return }
            #expect(got == ttl)
        }
    }

    @Test("event_time: an RFC 3339 timestamp with offset or integer epoch ms, in [2000-01-01, 2100-01-01)", arguments: [
        (#""2026-11-21T10:15:02.120Z""#, Int64?.some(1_795_256_102_120)),
        (#""2026-11-21t10:15:02.120z""#, 1_795_256_102_120),
        (#""2026-11-21T12:15:02.120+02:00""#, 1_795_256_102_120),
        (#""2026-11-21T05:15:02.120-05:00""#, 1_795_256_102_120),
        (#""2026-11-21T10:15:02.1209999Z""#, 1_795_256_102_120),
        (#""2026-11-21T10:15:02.1Z""#, 1_795_256_102_100),
        (#""2026-11-21T10:15:02Z""#, 1_795_256_102_000),
        (#""2026-11-21T10:15:0\u0032Z""#, 1_795_256_102_000),
        (#""2000-01-01T00:00:00Z""#, 946_684_800_000),
        (#""2099-12-31T23:59:59.999Z""#, 4_102_444_799_999),
        ("1795256000000", 1_795_256_000_000), ("946684800000", 946_684_800_000), ("4102444799999", 4_102_444_799_999),
        ("946684799999", nil), ("4102444800000", nil), ("-1", nil), ("0", nil),
        (#""1999-12-31T23:59:59.999Z""#, nil), (#""2100-01-01T00:00:00Z""#, nil),
        (#""2026-11-21T10:15:02.120""#, nil), (#""2026-11-21 10:15:02Z""#, nil), (#""2026-11-21T10:15:60Z""#, nil),
        (#""2026-02-30T10:15:02Z""#, nil), (#""2026-11-21T10:15:02.Z""#, nil), (#""2026-11-21""#, nil),
        (#""1795256000000""#, nil), ("1795256000000.0", nil), ("1.795256e12", nil), ("99999999999999999999", nil),
        ("null", nil), ("true", nil), (#""""#, nil), ("{}", nil),
    ])
    func eventTime(value: String, expected: Int64?) throws {
        for (name, template) in EventLine.all {
            let line = template.with("event_time", value).line
            if let expected {
                #expect(try inventoryEvent(line).eventTime == expected, "\(name)")
            } else {
                #expect(mixedVerdict(line) == .rejected(.badField, "event_time"), "\(name)")
            }
        }
    }

    @Test("rejections carry a short detail")
    func details() {
        func detail(_ line: String) -> String {
            guard case .rejected(let r) = mixedDecode(line) else { return "" }
            return r.detail
        }
        #expect(detail(EventLine.commit.with("type", #""x""#).line).contains("stock_set"))
        #expect(detail(EventLine.commit.with("location", nil).line) == "required")
        #expect(detail(EventLine.commit.with("location", #""""#).line).contains("64"))
        #expect(detail(EventLine.stockSet.with("qty", "-1").line).contains(">= 0"))
        #expect(detail(EventLine.stockSet.with("qty", "2.0").line).contains("2.0"))
        #expect(detail(EventLine.stockAdjust.with("delta", #""x""#).line).contains("a string"))
        #expect(detail(EventLine.reserve.with("lines", "[]").line).contains("at least 1"))
        #expect(detail(EventLine.reserve.with("lines", "[1]").line).contains("an object"))
        #expect(detail(EventLine.reserve.with("ttl_ms", "0").line).contains(">= 1"))
        #expect(detail(EventLine.commit.with("event_time", "0").line).contains("2000"))
        #expect(detail(#"{"type":1,"type":2}"#).contains("duplicate"))
    }
}

// MARK: - Many lines

@Suite("Inventory line decoder: reservations of many lines")
struct InventoryLineManyLinesTests {
    func manyLines(_ count: Int, replacing: [Int: String] = [:]) -> String {
        let lines = (0 ..< count).map { i in replacing[i] ?? reservationLine(sku: "\"S\(i)\"", qty: "\(i + 1)") }
        return EventLine.reserve.with("lines", "[" + lines.joined(separator: ",") + "]").line
    }

    @Test("any number of lines decodes, in order", arguments: [1, 15, 16, 17, 33, 1000])
    func manyLinesInOrder(count: Int) throws {
        guard case .reserve(_, _, let lines, _) = try inventoryEvent(manyLines(count)).action else {
            Issue.record("not a reserve")
            return
        }
        #expect(lines == (0 ..< count).map { ReservationLine(sku: "S\($0)", qty: Int64($0 + 1)) })
    }

    @Test("past the first lines: whitespace, escaped and unknown keys, members in any order")
    func laterLinesAnyShape() throws {
        let odd = #" { "note" : [1,{"sku":0}] , "q\u0074y" : 7 ,"s\u006bu":"X\u00e9","note":null } "#
        guard case .reserve(_, _, let lines, _) = try inventoryEvent(manyLines(40, replacing: [3: odd, 30: odd])).action else {
            Issue.record("not a reserve")
            return
        }
        #expect(lines.count == 40)
        #expect(lines[3] == ReservationLine(sku: "Xé", qty: 7))
        #expect(lines[30] == ReservationLine(sku: "Xé", qty: 7))
        #expect(lines[31] == ReservationLine(sku: "S31", qty: 32))
    }

    @Test("an error in a late line is reported with its index", arguments: [3, 16, 17, 500, 999])
    func lateLineErrors(index: Int) {
        #expect(mixedVerdict(manyLines(1000, replacing: [index: reservationLine(qty: "0")]))
            == .rejected(.badField, "lines[\(index)].qty"))
        #expect(mixedVerdict(manyLines(1000, replacing: [index: #"{"qty":1}"#]))
            == .rejected(.missingField, "lines[\(index)].sku"))
        #expect(mixedVerdict(manyLines(1000, replacing: [index: #"{"sku":"A","other":1}"#]))
            == .rejected(.missingField, "lines[\(index)].qty"))
        #expect(mixedVerdict(manyLines(1000, replacing: [index: "[]"])) == .rejected(.badField, "lines[\(index)]"))
        #expect(mixedVerdict(manyLines(1000, replacing: [index: #""x""#])) == .rejected(.badField, "lines[\(index)]"))
        #expect(mixedVerdict(manyLines(1000, replacing: [index: #"{"sku":"A","qty":1,"sku":"B"}"#]))
            == .rejected(.malformedJSON))
        // The first broken line wins.
        var broken: [Int: String] = [:]
        for later in index + 1 ..< min(index + 3, 1000) { broken[later] = "5" }
        broken[index] = reservationLine(qty: "0")
        #expect(mixedVerdict(manyLines(1000, replacing: broken)) == .rejected(.badField, "lines[\(index)].qty"))
    }

    @Test("the number of lines is bounded only by the line size")
    func nearlyOneMiB() throws {
        let one = reservationLine(sku: #""S""#, qty: "1")
        let count = (1_048_576 - 300) / (one.utf8.count + 1)
        let line = EventLine.reserve.with("lines", "[" + Array(repeating: one, count: count).joined(separator: ",") + "]").line
        #expect(line.utf8.count <= 1_048_576)
        guard case .reserve(_, _, let lines, _) = try inventoryEvent(line).action else {
            Issue.record("not a reserve")
            return
        }
        #expect(lines.count == count)
        #expect(lines.allSatisfy { $0 == ReservationLine(sku: "S", qty: 1) })
    }
}
