import Testing
@testable import Jobs

/// live.md section 2: the location a line belongs to, and its input subject, decided
/// from the line alone: a POS transaction by its `store_id`, anything else as an
/// inventory event by its `location`; `_` when that is no subject token or the line no
/// JSON object.
@Suite("Record location: a line's subject")
struct RecordLocationTests {
    func subject(_ line: String) -> String {
        Array(line.utf8).withUnsafeBytes { RecordLocation(ofLine: $0).subject }
    }

    @Test("given a line, this subject", arguments: [
        (#"{"tx_id":"a","store_id":"store-0042"}"#, "tillflow.in.store-0042.pos"),
        (#"{"store_id":"s_1","tx_id":"a","items":[]}"#, "tillflow.in.s_1.pos"),
        (#"{"event_id":"e","location":"WH-1"}"#, "tillflow.in.WH-1.inventory"),
        (#"{"location":"wh","store_id":"store-1"}"#, "tillflow.in.wh.inventory"),
        (#"{"tx_id":"a","store_id":"store 1"}"#, "tillflow.in._.pos"),
        (#"{"tx_id":"a","store_id":"a.b"}"#, "tillflow.in._.pos"),
        (#"{"tx_id":"a","store_id":""}"#, "tillflow.in._.pos"),
        (#"{"tx_id":"a","store_id":42}"#, "tillflow.in._.pos"),
        (#"{"tx_id":"a"}"#, "tillflow.in._.pos"),
        (#"{"tx_id":null,"store_id":"s1"}"#, "tillflow.in.s1.pos"),
        (#"{"tx_id":"a","store_id":"s\u0031"}"#, "tillflow.in.s1.pos"),
        (#"{"location":"\u00e9"}"#, "tillflow.in._.inventory"),
        (#"{"clock":1795256110000}"#, "tillflow.in._.inventory"),
        ("not json", "tillflow.in._.inventory"),
        (#"{"tx_id":"a","store_id":"s1""#, "tillflow.in._.inventory"),
        (#"["tx_id"]"#, "tillflow.in._.inventory"),
        ("", "tillflow.in._.inventory"),
    ])
    func subjectOfLine(line: String, expected: String) {
        #expect(subject(line) == expected)
    }

    @Test func aLocationOfSixtyFourCharactersIsATokenAndOneOfSixtyFiveIsNot() {
        let long = String(repeating: "x", count: 64)
        #expect(subject(#"{"location":"\#(long)"}"#) == "tillflow.in.\(long).inventory")
        #expect(subject(#"{"location":"\#(long)y"}"#) == "tillflow.in._.inventory")
    }
}
