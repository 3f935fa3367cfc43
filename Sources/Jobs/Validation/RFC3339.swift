/// RFC 3339 timestamps with an offset, read exactly to epoch milliseconds (spec section 0).
///
/// Accepted: `YYYY-MM-DDTHH:MM:SS[.f...](Z|+hh:mm|-hh:mm)`, with `T`/`t` and `Z`/`z`
/// in either case; a real calendar date (leap years included), hours 00-23, minutes
/// 00-59, seconds 00-59 (no leap second), offsets 00:00-23:59. The fraction has at
/// least one digit; digits below the millisecond are truncated. No space separator,
/// no missing offset, nothing before or after.
public enum RFC3339 {
    /// The instant `text` names, in milliseconds since the Unix epoch; `nil` when the
    /// text is not such a timestamp.
    public static func epochMilliseconds(_ text: UnsafeRawBufferPointer) -> Int64? {
        let n = text.count
        guard n >= 20 else { return nil }
        @inline(__always) func digit(_ k: Int) -> Int? {
            let d = text[k] &- UInt8(ascii: "0")
            return d < 10 ? Int(d) : nil
        }
        @inline(__always) func two(_ k: Int) -> Int? {
            guard let a = digit(k), let b = digit(k &+ 1) else { return nil }
            return a &* 10 &+ b
        }
        guard let century = two(0), let yy = two(2), text[4] == UInt8(ascii: "-"),
              let month = two(5), text[7] == UInt8(ascii: "-"), let day = two(8),
              text[10] == UInt8(ascii: "T") || text[10] == UInt8(ascii: "t"),
              let hour = two(11), text[13] == UInt8(ascii: ":"), let minute = two(14),
              text[16] == UInt8(ascii: ":"), let second = two(17)
        else { return nil }
        let year = century &* 100 &+ yy
        guard (1 ... 12).contains(month), day >= 1, day <= daysInMonth(month, year: year),
              hour <= 23, minute <= 59, second <= 59
        else { return nil }

        var i = 19
        var millis = 0
        if text[i] == UInt8(ascii: ".") {
            i &+= 1
            var digits = 0
            while i < n, let d = digit(i) {
                if digits < 3 { millis = millis &* 10 &+ d }
                digits &+= 1
                i &+= 1
            }
            guard digits > 0 else { return nil }
            for _ in min(digits, 3) ..< 3 { millis &*= 10 }
        }
        guard i < n else { return nil }
        var offsetMinutes = 0
        switch text[i] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            i &+= 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard n &- i == 6, let oh = two(i &+ 1), text[i &+ 3] == UInt8(ascii: ":"), let om = two(i &+ 4),
                  oh <= 23, om <= 59
            else { return nil }
            offsetMinutes = (oh &* 60 &+ om) &* (text[i] == UInt8(ascii: "-") ? -1 : 1)
            i &+= 6
        default:
            return nil
        }
        guard i == n else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days &* 86_400 &+ Int64(hour &* 3_600 &+ minute &* 60 &+ second) &- Int64(offsetMinutes &* 60)
        return seconds &* 1_000 &+ Int64(millis)
    }

    /// Days from 1970-01-01 to the given proleptic Gregorian date (H. Hinnant's
    /// `days_from_civil`), negative before 1970.
    public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = Int64((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1)
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func daysInMonth(_ month: Int, year: Int) -> Int {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
