import Testing
@testable import Jobs

/// The validating reader on its own: what it accepts, and the general API the
/// record decoders read values with.
@Suite("JSON scanner")
struct JSONScannerTests {
    static let schema = JSONSchema(topLevel: JSONKeySet(["type", "lines", "qty"]),
                                   nestedArray: (name: "lines", elementKeys: JSONKeySet(["sku", "qty"])))

    /// Scans `text` and hands the scanner, the summary and the member tokens to `body`.
    func scanned<R>(_ text: String, schema: JSONSchema = Self.schema,
                    _ body: (JSONScanner, JSONScanner.Summary, [JSONToken?]) throws -> R) throws -> R {
        let bytes = Array(text.utf8)
        return try bytes.withUnsafeBytes { raw in
            var members = [JSONToken?](repeating: nil, count: schema.topLevel.count)
            let scanner = JSONScanner(raw)
            let summary = try members.withUnsafeMutableBufferPointer { try scanner.scan(schema: schema, members: $0) }
            return try body(scanner, summary, members)
        }
    }

    func problem(_ text: String, schema: JSONSchema = Self.schema) -> JSONSyntaxError? {
        do {
            _ = try scanned(text, schema: schema) { _, _, _ in () }
            return nil
        } catch let error as JSONSyntaxError {
            return error
        } catch {
            return nil
        }
    }

    @Test("records the known top-level members, with kinds and exact byte ranges")
    func membersAreRecorded() throws {
        let text = #"{ "qty" : -12 , "x":{"type":1}, "type":"st\u0061ck", "lines":[ {"sku":"A","qty":1}, [], 3 ] } "#
        try scanned(text) { scanner, summary, members in
            #expect(summary.root == JSONToken(kind: .object, start: 0, end: text.utf8.count - 1))
            #expect(summary.nestedArrayCount == 3)
            let type = try #require(members[0])
            #expect(type.kind == .string && type.isEscaped)
            #expect(scanner.string(type) == "stack")
            let qty = try #require(members[2])
            #expect(qty.kind == .number && scanner.integer(qty) == .value(-12))
            #expect(Array(scanner.text(of: qty)) == Array("-12".utf8))
            let lines = try #require(members[1])
            let kinds = Array(scanner.elements(of: lines)).map(\.kind)
            #expect(kinds == [.object, .array, .number])
        }
    }

    @Test("absent members stay nil; a non-object root records nothing")
    func absentMembers() throws {
        try scanned(#"{"other":1}"#) { _, summary, members in
            #expect(members.allSatisfy { $0 == nil })
            #expect(summary.nestedArrayCount == 0)
        }
        try scanned(#"[{"type":"x"}]"#) { _, summary, members in
            #expect(summary.root.kind == .array)
            #expect(members.allSatisfy { $0 == nil })
        }
    }

    @Test("a schema without a nested array counts no elements, whatever arrays the text holds")
    func noNestedArray() throws {
        let flat = JSONSchema(topLevel: JSONKeySet(["type"]))
        try scanned(#"{"x":[1,2,3],"type":[{"sku":1,"sku":2}]}"#, schema: flat) { _, summary, members in
            #expect(summary.nestedArrayCount == 0)
            #expect(members[0]?.kind == .array)
        }
    }

    @Test("elements beyond the buffer are checked and counted but not recorded")
    func elementBufferCapacity() throws {
        let text = #"{"lines":[{"sku":"a","qty":1},{"qty":2},"x",{"sku":"b","sku":"c"}]}"#
        #expect(problem(text) == JSONSyntaxError(.duplicateKey("sku"), at: 55))
        let ok = #"{"lines":[{"sku":"a","qty":1},{"qty":2},"x",{"sku":"b"}]}"#
        let bytes = Array(ok.utf8)
        try bytes.withUnsafeBytes { raw in
            var members = [JSONToken?](repeating: nil, count: 3)
            var elements = [JSONToken?](repeating: nil, count: 2 * 3)  // room for two elements of 1 + 2 slots
            let scanner = JSONScanner(raw)
            let summary = try members.withUnsafeMutableBufferPointer { m in
                try elements.withUnsafeMutableBufferPointer { e in try scanner.scan(schema: Self.schema, members: m, elements: e) }
            }
            #expect(summary.nestedArrayCount == 4)
            #expect(elements[0]?.kind == .object && elements[3]?.kind == .object)
            #expect(elements[1].map(scanner.string) == "a" && elements[2].map { scanner.integer($0) } == .value(1))
            #expect(elements[4] == nil && elements[5].map { scanner.integer($0) } == .value(2))
        }
    }

    @Test("iterates nested objects' members in order, keys unescaped, repeats included")
    func nestedMembers() throws {
        try scanned(#"{"lines":[{"sku":"A","n\u00e4me":"x\ny","sku2":true,"z":null,"z":false}]}"#) { scanner, _, members in
            let lines = try #require(members[1])
            let line = try #require(Array(scanner.elements(of: lines)).first)
            let pairs = Array(scanner.members(of: line)).map { (scanner.string($0.key), $0.value.kind) }
            #expect(pairs.map(\.0) == ["sku", "näme", "sku2", "z", "z"])
            #expect(pairs.map(\.1) == [.string, .string, .true, .null, .false])
            let keys = Self.schema.elementKeys
            #expect(Array(scanner.members(of: line)).map { scanner.index(ofKey: $0.key, in: keys) } == [0, nil, nil, nil, nil])
        }
    }

    @Test("strings decode escapes and surrogate pairs; code points are counted after unescaping")
    func strings() throws {
        try scanned(#"{"type":"\"\\\/\b\f\n\r\t\u0041\u00e9\u20ac\ud83d\ude00é"}"#) { scanner, _, members in
            let token = try #require(members[0])
            #expect(scanner.string(token) == "\"\\/\u{8}\u{C}\n\r\tAé€😀é")
            #expect(scanner.codePointCount(ofString: token) == 13)
        }
    }

    @Test("integers are read exactly, fractions and exponents are not integers", arguments: [
        ("0", IntegerLiteral.value(0)), ("-0", .value(0)), ("9223372036854775807", .value(.max)),
        ("-9223372036854775808", .value(.min)), ("9223372036854775808", .overflow), ("-9223372036854775809", .overflow),
        ("123456789012345678901234567890", .overflow), ("2.0", .notAnInteger), ("1e2", .notAnInteger),
        ("1E+2", .notAnInteger), ("\"1\"", .notAnInteger), ("true", .notAnInteger),
    ])
    func integers(text: String, expected: IntegerLiteral) throws {
        try scanned(#"{"qty":\#(text)}"#) { scanner, _, members in
            let qty = try #require(members[2])
            #expect(scanner.integer(qty) == expected)
        }
    }

    @Test("errors carry their problem and offset", arguments: [
        ("", JSONSyntaxError(.empty, at: 0)),
        ("  ", JSONSyntaxError(.empty, at: 2)),
        ("{\"a\":1", JSONSyntaxError(.unexpectedEnd, at: 6)),
        ("{\"a\":01}", JSONSyntaxError(.invalidNumber, at: 5)),
        ("{\"a\":1.}", JSONSyntaxError(.invalidNumber, at: 5)),
        ("{\"a\":x}", JSONSyntaxError(.unexpectedByte(UInt8(ascii: "x")), at: 5)),
        ("{\"a\":\"\\q\"}", JSONSyntaxError(.invalidEscape, at: 6)),
        ("{\"a\":\"\\ud800\"}", JSONSyntaxError(.loneSurrogate, at: 6)),
        ("{\"a\":\"\u{7}\"}", JSONSyntaxError(.controlCharacter, at: 6)),
        ("{} 1", JSONSyntaxError(.trailingCharacters, at: 3)),
        ("{\"type\":1,\"ty\\u0070e\":2}", JSONSyntaxError(.duplicateKey("type"), at: 10)),
        ("{\"lines\":[{\"qty\":1,\"qty\":2}]}", JSONSyntaxError(.duplicateKey("qty"), at: 19)),
    ])
    func errors(text: String, expected: JSONSyntaxError) {
        #expect(problem(text) == expected)
    }

    @Test("invalid UTF-8 inside a string is an error at its first byte")
    func invalidUTF8() throws {
        let bytes: [UInt8] = Array("{\"a\":\"x".utf8) + [0xED, 0xA0, 0x80] + Array("\"}".utf8)
        let error = bytes.withUnsafeBytes { raw -> JSONSyntaxError? in
            withUnsafeTemporaryAllocation(of: JSONToken?.self, capacity: 3) { members -> JSONSyntaxError? in
                do throws(JSONSyntaxError) {
                    _ = try JSONScanner(raw).scan(schema: Self.schema, members: members)
                    return nil
                } catch {
                    return error
                }
            }
        }
        #expect(error == JSONSyntaxError(.invalidUTF8, at: 7))
    }

    @Test("depth: 64 nested containers pass, 65 do not")
    func depth() {
        #expect(problem(String(repeating: "[", count: 64) + String(repeating: "]", count: 64)) == nil)
        #expect(problem(String(repeating: "[", count: 65) + String(repeating: "]", count: 65))
            == JSONSyntaxError(.tooDeep, at: 64))
        #expect(problem("{\"a\":" + String(repeating: "{\"b\":", count: 63) + "0" + String(repeating: "}", count: 64)) == nil)
    }

    @Test("duplicates count only in the top-level object and in the nested array's element objects")
    func duplicateScope() {
        #expect(problem(#"{"x":{"type":1,"type":2},"y":[{"sku":1,"sku":2}],"lines":[[{"sku":1,"sku":2}]]}"#) == nil)
        #expect(problem(#"{"lines":{"sku":1,"sku":2}}"#) == nil)
        #expect(problem(#"{"lines":[{"sku":1},{"sku":2,"x":{"sku":1,"sku":2}}]}"#) == nil)
        #expect(problem(#"{"lines":[{"sku":1},{"sku":2,"sku":3}]}"#) == JSONSyntaxError(.duplicateKey("sku"), at: 29))
    }

    @Test("key sets match names of up to 16 bytes, escaped or not, near the end of the buffer too")
    func keySets() throws {
        let set = JSONKeySet(["a", "exactly16bytes!!", "reservation_id", "é"])
        let check: [(String, Int?)] = [
            (#""a""#, 0), (#""exactly16bytes!!""#, 1), (#""exactly16bytes!!x""#, nil), (#""reservation_id""#, 2),
            (#""reservation_i""#, nil), (#""\u00e9""#, 3), (#""é""#, 3), (#""\u0061""#, 0), (#""""#, nil),
            (#""exactly16bytes!\u0021""#, 1),
        ]
        for (key, expected) in check {
            for text in ["{\(key):0}", "{\(key):0,                         \"pad\":0}"] {
                let schema = JSONSchema(topLevel: set)
                try scanned(text, schema: schema) { scanner, _, members in
                    let found = members.firstIndex { $0 != nil }
                    #expect(found == expected, "\(text)")
                }
            }
        }
        #expect(Array("reservation_id".utf8).withUnsafeBytes { set.index(of: $0) } == 2)
    }
}
