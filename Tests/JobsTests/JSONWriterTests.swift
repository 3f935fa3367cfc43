import Testing
@testable import Jobs

@Suite struct JSONWriterTests {
    @Test func escapesQuotesBackslashesAndControlCharacters() {
        var out: [UInt8] = []
        JSONWriter.appendString("a\"b\\c\nd\u{01}é", to: &out)
        #expect(String(decoding: out, as: UTF8.self) == "\"a\\\"b\\\\c\\nd\\u0001é\"")
    }

    @Test func writesIntegersIncludingExtremes() {
        for v: Int64 in [0, 7, -7, 1_795_256_102_120, .max, .min] {
            var out: [UInt8] = []
            JSONWriter.appendInt(v, to: &out)
            #expect(String(decoding: out, as: UTF8.self) == String(v))
        }
    }
}
