import ArgumentParser
import Generators
import Jobs

/// A point in time on the command line: an RFC 3339 timestamp with an offset
/// (`2026-11-21T00:00:00Z`, `2026-11-21T10:15:02.120+01:00`; fractions below a
/// millisecond are dropped) or integer epoch milliseconds. Held as epoch milliseconds.
struct TimestampArgument: ExpressibleByArgument, Equatable, CustomStringConvertible {
    var epochMillis: Int64

    init(epochMillis: Int64) { self.epochMillis = epochMillis }

    init?(argument: String) {
        if let ms = Int64(argument) {
            epochMillis = ms
        } else if let ms = Self.parseRFC3339(Array(argument.utf8)) {
            epochMillis = ms
        } else {
            return nil
        }
    }

    /// RFC 3339 in UTC, milliseconds only when there are any: `2026-11-21T00:00:00Z`.
    var description: String {
        let days = epochMillis >= 0 ? epochMillis / 86_400_000 : (epochMillis - 86_399_999) / 86_400_000
        let msOfDay = epochMillis - days * 86_400_000
        let date = CivilCalendar.date(days: days)
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        var text = "\(date.year)-\(two(date.month))-\(two(date.day))T\(two(msOfDay / 3_600_000)):"
        text += "\(two(msOfDay / 60_000 % 60)):\(two(msOfDay / 1000 % 60))"
        if msOfDay % 1000 != 0 { text += "." + String(String(1000 + msOfDay % 1000).dropFirst()) }
        return text + "Z"
    }

    var defaultValueDescription: String { description }

    /// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)`, `T` and `Z` in either case.
    static func parseRFC3339(_ s: [UInt8]) -> Int64? {
        var i = 0
        func number(_ width: Int) -> Int64? {
            guard i + width <= s.count else { return nil }
            var v: Int64 = 0
            for b in s[i ..< i + width] {
                guard b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") else { return nil }
                v = v * 10 + Int64(b - UInt8(ascii: "0"))
            }
            i += width
            return v
        }
        func expect(_ options: String) -> Bool {
            guard i < s.count, options.utf8.contains(s[i]) else { return false }
            i += 1
            return true
        }
        guard let year = number(4), expect("-"), let month = number(2), expect("-"), let day = number(2),
              expect("Tt"), let hour = number(2), expect(":"), let minute = number(2), expect(":"),
              let second = number(2),
              CivilCalendar.isValid(year: year, month: month, day: day), hour < 24, minute < 60, second < 60
        else { return nil }
        var millis: Int64 = 0
        if i < s.count && s[i] == UInt8(ascii: ".") {
            i += 1
            var digits = 0
            while i < s.count, s[i] >= UInt8(ascii: "0") && s[i] <= UInt8(ascii: "9") {
                if digits < 3 { millis = millis * 10 + Int64(s[i] - UInt8(ascii: "0")) }
                digits += 1
                i += 1
            }
            guard digits > 0 else { return nil }
            if digits < 3 { for _ in digits ..< 3 { millis *= 10 } }
        }
        var offsetMinutes: Int64 = 0
        if expect("Zz") {
        } else if i < s.count && (s[i] == UInt8(ascii: "+") || s[i] == UInt8(ascii: "-")) {
            let sign: Int64 = s[i] == UInt8(ascii: "-") ? -1 : 1
            i += 1
            guard let oh = number(2), expect(":"), let om = number(2), oh < 24, om < 60 else { return nil }
            offsetMinutes = sign * (oh * 60 + om)
        } else {
            return nil
        }
        guard i == s.count else { return nil }
        let days = CivilCalendar.days(year: year, month: month, day: day)
        return ((days * 24 + hour) * 60 + minute - offsetMinutes) * 60_000 + second * 1000 + millis
    }
}
