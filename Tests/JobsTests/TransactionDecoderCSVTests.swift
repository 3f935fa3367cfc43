import Testing
@testable import Jobs

/// Spec section 1, the flat CSV form: a header naming the columns in any order,
/// then one transaction per row, RFC 4180 quoting, no items.
@Suite("Transaction decoder: CSV")
struct TransactionDecoderCSVTests {
    static let header = "tx_id,store_id,terminal_id,event_time_ms,kind,currency,total_minor,item_count"

    func layout(_ header: String = Self.header) throws -> CSVLayout {
        try Array(header.utf8).withUnsafeBytes { try CSVLayout(header: $0) }
    }

    func decode(_ row: String, header: String = Self.header, fullLength: Int? = nil) throws -> Result<Transaction, Rejection> {
        let layout = try layout(header)
        return TransactionDecoder(totalMismatch: .reject)
            .decodeCSV(origin: origin(row, lineNumber: 2), fullLength: fullLength ?? row.utf8.count, layout: layout)
    }

    func csvVerdict(_ row: String, header: String = Self.header) throws -> Verdict {
        verdict(try decode(row, header: header))
    }

    static let valid = "s0042-t03-000918,store-0042,t03,1795256102120,sale,EUR,1648,3"

    @Test("a valid row becomes a transaction with no items and its item_count")
    func validRow() throws {
        let tx = try decode(Self.valid).get()
        #expect(tx.txID == "s0042-t03-000918" && tx.storeID == "store-0042" && tx.terminalID == "t03")
        #expect(tx.eventTime == 1_795_256_102_120 && tx.kind == .sale && tx.currency == .EUR)
        #expect(tx.items.isEmpty && tx.itemCount == 3 && tx.totalMinor == 1648 && tx.originalTotalMinor == nil)
        #expect(tx.origin.lineNumber == 2)
    }

    @Test("columns may come in any order, with extra columns ignored")
    func columnOrder() throws {
        let header = "note,item_count,total_minor,currency,kind,event_time_ms,terminal_id,store_id,tx_id,extra"
        let tx = try decode("hello,3,1648,JPY,refund,1795256102120,t03,store-0042,T-1,", header: header).get()
        #expect(tx.txID == "T-1" && tx.kind == .refund && tx.currency == .JPY && tx.itemCount == 3 && tx.totalMinor == 1648)
        let layout = try layout(header)
        #expect(layout.cellCount == 10)
        #expect(layout.cellIndex(of: .txID) == 8 && layout.cellIndex(of: .itemCount) == 1)
    }

    @Test("a header may be quoted, end in \\r, and repeat a name (its first column is read)")
    func headerVariants() throws {
        let header = "\"tx_id\",store_id,terminal_id,event_time_ms,kind,currency,total_minor,item_count,tx_id\r"
        let tx = try decode(Self.valid + ",other", header: header).get()
        #expect(tx.txID == "s0042-t03-000918")
    }

    @Test("a header without a required column fails with a one-line error naming the missing ones")
    func missingColumns() {
        #expect(throws: CSVHeaderError(message: "CSV header lacks the column item_count")) {
            try layout("tx_id,store_id,terminal_id,event_time_ms,kind,currency,total_minor")
        }
        #expect(throws: CSVHeaderError(message: "CSV header lacks the columns event_time_ms, total_minor")) {
            try layout("tx_id,store_id,terminal_id,event_time,kind,currency,total,item_count")
        }
        #expect(throws: CSVHeaderError.self) { try layout("") }
        #expect(throws: CSVHeaderError.self) { try layout("TX_ID,store_id,terminal_id,event_time_ms,kind,currency,total_minor,item_count") }
        #expect(throws: CSVHeaderError.self) { try layout("\"tx_id,store_id,terminal_id,event_time_ms,kind,currency,total_minor,item_count") }
        do {
            _ = try layout("a,b")
        } catch {
            #expect(!"\(error)".contains("\n"))
        }
    }

    @Test("quoted cells may hold commas and doubled quotes")
    func quoting() throws {
        let tx = try decode(#""s0042,""t03"",x","store ""42""",t03,"1795256102120","sale",EUR,1648,"3""#).get()
        #expect(tx.txID == #"s0042,"t03",x"#)
        #expect(tx.storeID == #"store "42""#)
        #expect(tx.itemCount == 3)
    }

    @Test("an unquoted cell takes a quote literally")
    func literalQuote() throws {
        #expect(try decode(#"ab"c,store-0042,t03,1795256102120,sale,EUR,1648,3"#).get().txID == #"ab"c"#)
    }

    @Test("a trailing \\r is dropped")
    func carriageReturn() throws {
        #expect(try decode(Self.valid + "\r").get().itemCount == 3)
        #expect(try decode("T,store-0042,t03,1795256102120,sale,EUR,1648,\"3\"\r").get().itemCount == 3)
        // Only one, and only at the end.
        #expect(try csvVerdict("T,store-0042,t03,1795256102120,sale,EUR,1648,3\r\r") == .rejected(.badField, "item_count"))
    }

    @Test("wrong cell counts and broken quoting are malformed_json", arguments: [
        "s1,store-0042,t03,1795256102120,sale,EUR,1648",
        "s1,store-0042,t03,1795256102120,sale,EUR,1648,3,",
        "s1,store-0042,t03,1795256102120,sale,EUR,1648,3,extra",
        "",
        "\r",
        "\"s1,store-0042,t03,1795256102120,sale,EUR,1648,3",
        "\"s1\"x,store-0042,t03,1795256102120,sale,EUR,1648,3",
        "\"s1\" ,store-0042,t03,1795256102120,sale,EUR,1648,3",
        "s1,store-0042,t03,1795256102120,sale,EUR,1648,\"3",
    ])
    func malformedRows(_ row: String) throws {
        #expect(try csvVerdict(row) == .rejected(.malformedJSON))
    }

    @Test("too_large and bad_encoding come first, as for JSON")
    func sizeAndEncodingFirst() throws {
        let layout = try layout()
        let decoder = TransactionDecoder(totalMismatch: .correct)
        let broken: [UInt8] = Array("\"s1,".utf8) + [0xC3, 0x28]
        #expect(verdict(decoder.decodeCSV(origin: origin(broken), fullLength: 3_000_000, layout: layout)) == .rejected(.tooLarge))
        #expect(verdict(decoder.decodeCSV(origin: origin(broken), fullLength: broken.count, layout: layout)) == .rejected(.badEncoding))
    }

    @Test("an empty cell is an absent field; an empty kind is a sale", arguments: [
        (",store-0042,t03,1795256102120,sale,EUR,1648,3", Verdict.rejected(.missingField, "tx_id")),
        ("s1,,t03,1795256102120,sale,EUR,1648,3", .rejected(.missingField, "store_id")),
        ("s1,store-0042,\"\",1795256102120,sale,EUR,1648,3", .rejected(.missingField, "terminal_id")),
        ("s1,store-0042,t03,,sale,EUR,1648,3", .rejected(.missingField, "event_time_ms")),
        ("s1,store-0042,t03,1795256102120,,EUR,1648,3", .accepted),
        ("s1,store-0042,t03,1795256102120,sale,,1648,3", .rejected(.missingField, "currency")),
        ("s1,store-0042,t03,1795256102120,sale,EUR,,3", .rejected(.missingField, "total_minor")),
        ("s1,store-0042,t03,1795256102120,sale,EUR,1648,", .rejected(.missingField, "item_count")),
        (",,,,,,,", .rejected(.missingField, "tx_id")),
    ])
    func emptyCells(row: String, expected: Verdict) throws {
        #expect(try csvVerdict(row) == expected)
    }

    @Test("empty kind means sale")
    func emptyKind() throws {
        #expect(try decode("s1,store-0042,t03,1795256102120,,EUR,1648,3").get().kind == .sale)
    }

    @Test("each cell's rule, in the order tx_id ... currency, item_count, total_minor", arguments: [
        ("\(String(repeating: "x", count: 65)),store-0042,t03,1795256102120,sale,EUR,1648,3", Verdict.rejected(.badField, "tx_id")),
        ("\(String(repeating: "é", count: 64)),store-0042,t03,1795256102120,sale,EUR,1648,3", .accepted),
        ("s1,store-0042,t03,946684799999,sale,EUR,1648,3", .rejected(.badField, "event_time_ms")),
        ("s1,store-0042,t03,946684800000,sale,EUR,1648,3", .accepted),
        ("s1,store-0042,t03,4102444800000,sale,EUR,1648,3", .rejected(.badField, "event_time_ms")),
        ("s1,store-0042,t03,-1795256102120,sale,EUR,1648,3", .rejected(.badField, "event_time_ms")),
        ("s1,store-0042,t03,1795256102120.0,sale,EUR,1648,3", .rejected(.badField, "event_time_ms")),
        ("s1,store-0042,t03,2026-11-21T10:15:02Z,sale,EUR,1648,3", .rejected(.badField, "event_time_ms")),
        ("s1,store-0042,t03,+1795256102120,sale,EUR,1648,3", .rejected(.badField, "event_time_ms")),
        ("s1,store-0042,t03, 1795256102120,sale,EUR,1648,3", .rejected(.badField, "event_time_ms")),
        ("s1,store-0042,t03,1795256102120,Sale,EUR,1648,3", .rejected(.badField, "kind")),
        ("s1,store-0042,t03,1795256102120,refund,eur,1648,3", .rejected(.unknownCurrency, "currency")),
        ("s1,store-0042,t03,1795256102120,sale,EUR,1648,-1", .rejected(.badField, "item_count")),
        ("s1,store-0042,t03,1795256102120,sale,EUR,1648,2.0", .rejected(.badField, "item_count")),
        ("s1,store-0042,t03,1795256102120,sale,EUR,1648,0", .accepted),
        ("s1,store-0042,t03,1795256102120,sale,EUR,-1,3", .rejected(.badField, "total_minor")),
        ("s1,store-0042,t03,1795256102120,sale,EUR,16.48,3", .rejected(.badField, "total_minor")),
        ("s1,store-0042,t03,1795256102120,sale,EUR,9223372036854775808,3", .rejected(.badField, "total_minor")),
        ("s1,store-0042,t03,1795256102120,sale,EUR,9223372036854775807,3", .accepted),
        // order: the first failing cell wins
        (",store-0042,t03,1795256102120,sale,XXX,1648,3", .rejected(.missingField, "tx_id")),
        ("s1,store-0042,t03,1795256102120,gift,XXX,1648,3", .rejected(.badField, "kind")),
        ("s1,store-0042,t03,1795256102120,sale,XXX,x,x", .rejected(.unknownCurrency, "currency")),
        ("s1,store-0042,t03,1795256102120,sale,EUR,x,x", .rejected(.badField, "item_count")),
    ])
    func cellRules(row: String, expected: Verdict) throws {
        #expect(try csvVerdict(row) == expected)
    }

    @Test("a CSV row has no total check: any total_minor stands as written")
    func noTotalCheck() throws {
        let tx = try decode("s1,store-0042,t03,1795256102120,sale,EUR,99,3").get()
        #expect(tx.totalMinor == 99 && !tx.corrected)
    }
}
