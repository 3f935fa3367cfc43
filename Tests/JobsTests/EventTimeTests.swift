import Testing
@testable import Jobs

/// Spec sections 0/1: event_time is an RFC 3339 timestamp with an offset or an
/// integer literal of epoch ms, within [2000-01-01, 2100-01-01).
@Suite("Transaction decoder: event_time")
struct EventTimeTests {
    func eventTime(_ value: String) -> Int64? {
        try? decodeJSON(Record().with("event_time", value).line).get().eventTime
    }

    @Test("RFC 3339 timestamps convert exactly to epoch ms", arguments: [
        ("2026-11-21T10:15:02.120Z", Int64(1_795_256_102_120)),
        ("2026-11-21t10:15:02.120z", 1_795_256_102_120),
        ("2026-11-21T11:15:02.120+01:00", 1_795_256_102_120),
        ("2026-11-21T05:45:02.120-04:30", 1_795_256_102_120),
        ("2026-11-22T09:15:02.120+23:00", 1_795_256_102_120),
        ("2026-11-21T10:15:02.120-00:00", 1_795_256_102_120),
        ("2026-11-21T10:15:02.1209999Z", 1_795_256_102_120),
        ("2026-11-21T10:15:02.12Z", 1_795_256_102_120),
        ("2026-11-21T10:15:02.1Z", 1_795_256_102_100),
        ("2026-11-21T10:15:02.000000001Z", 1_795_256_102_000),
        ("2026-11-21T10:15:02Z", 1_795_256_102_000),
        ("2026-11-21T23:59:59Z", 1_795_305_599_000),
        ("2024-02-29T00:00:00Z", 1_709_164_800_000),
        ("2000-02-29T00:00:00Z", 951_782_400_000),
        ("2000-01-01T00:00:00Z", 946_684_800_000),
        ("2000-01-01T01:00:00+01:00", 946_684_800_000),
        ("2099-12-31T23:59:59.999Z", 4_102_444_799_999),
        ("2099-12-31T22:59:59.999999-01:00", 4_102_444_799_999),
    ])
    func rfc3339(text: String, millis: Int64) {
        #expect(eventTime("\"\(text)\"") == millis)
    }

    @Test("escaped RFC 3339 strings are unescaped first")
    func escaped() {
        #expect(eventTime(#""2026-11-21T10:15:02.120\u005A""#) == 1_795_256_102_120)
    }

    @Test("anything else is bad_field on event_time", arguments: [
        "2026-11-21T10:15:60Z", "2026-11-21 10:15:02Z", "2026-11-21T10:15:02", "2026-11-21T24:00:00Z",
        "2026-11-21T10:60:00Z", "2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z", "2026-11-31T00:00:00Z",
        "2026-11-00T00:00:00Z", "2023-02-29T00:00:00Z", "2100-02-29T00:00:00Z", "2026-11-21T10:15:02.Z",
        "2026-11-21T10:15:02+01:60", "2026-11-21T10:15:02+24:00", "2026-11-21T10:15:02+1:00",
        "2026-11-21T10:15:02+0100", "2026-11-21T10:15:02+01", "2026-11-21T10:15:02ZZ", "2026-11-21T10:15:02Z ",
        " 2026-11-21T10:15:02Z", "2026-11-21", "26-11-21T10:15:02Z", "2026-1-21T10:15:02Z", "2026-11-21T1:15:02Z",
        "2026-11-21X10:15:02Z", "2026/11/21T10:15:02Z", "2026-11-21T10:15:02.12a3Z", "2026-11-21T10:15:02,1Z",
        "1795256102120", "", "now",
        // out of range
        "1999-12-31T23:59:59.999Z", "2000-01-01T00:30:00+01:00", "2100-01-01T00:00:00Z",
        "2099-12-31T23:30:00-01:00", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
    ])
    func invalidStrings(_ text: String) {
        #expect(jsonVerdict(Record().with("event_time", "\"\(text)\"").line) == .rejected(.badField, "event_time"))
    }

    @Test("integer epoch ms within [946684800000, 4102444800000)", arguments: [
        ("946684800000", true), ("4102444799999", true), ("1795256102120", true),
        ("946684799999", false), ("4102444800000", false), ("0", false), ("-5", false),
        ("1795256102120.0", false), ("1.79525610212e12", false), ("99999999999999999999", false),
        ("-9223372036854775809", false), ("true", false), ("[1795256102120]", false),
    ])
    func integers(text: String, valid: Bool) {
        let result = decodeJSON(Record().with("event_time", text).line)
        if valid {
            #expect((try? result.get().eventTime) == Int64(text))
        } else {
            #expect(verdict(result) == .rejected(.badField, "event_time"))
        }
    }

    @Test("days from the civil calendar match known dates")
    func civilDays() {
        #expect(RFC3339.daysFromCivil(year: 1970, month: 1, day: 1) == 0)
        #expect(RFC3339.daysFromCivil(year: 2000, month: 3, day: 1) == 11_017)
        #expect(RFC3339.daysFromCivil(year: 1969, month: 12, day: 31) == -1)
        #expect(RFC3339.daysFromCivil(year: 2100, month: 1, day: 1) == 47_482)
    }
}
