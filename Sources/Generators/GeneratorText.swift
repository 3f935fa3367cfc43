import Dataflow
import Jobs

/// Byte-level text writing for the generators: zero-padded numbers, money amounts and
/// RFC 3339 timestamps, appended to a line buffer without going through `String`.
enum GeneratorText {
    /// Appends `value` (>= 0) in decimal, left-padded with zeros to at least `width` digits.
    @inline(__always)
    static func appendPadded(_ value: Int, width: Int, to out: inout [UInt8]) {
        var digits = 1
        var limit = 10
        while value >= limit && digits < 19 { digits += 1; limit &*= 10 }
        var pad = width - digits
        while pad > 0 { out.append(UInt8(ascii: "0")); pad -= 1 }
        JSONWriter.appendInt(value, to: &out)
    }

    /// How an amount of money is written.
    enum MoneyStyle: UInt8 {
        /// A JSON string with all the currency's minor digits: `"12.50"`.
        case string
        /// A JSON number with all the minor digits: `12.50`.
        case number
        /// A JSON number without trailing fractional zeros: `12.5`, `12`.
        case trimmedNumber
        /// A JSON string without trailing fractional zeros: `"12.5"`.
        case trimmedString

        var quoted: Bool { self == .string || self == .trimmedString }
        var trimmed: Bool { self == .trimmedNumber || self == .trimmedString }
    }

    /// Appends `minor` units (>= 0) as a decimal with `digits` fractional digits, or
    /// `extraDigit` more (a deliberately bad amount such as `1.999`).
    static func appendMoney(_ minor: Int64, digits: Int, style: MoneyStyle, extraDigit: Bool = false, to out: inout [UInt8]) {
        if style.quoted { out.append(UInt8(ascii: "\"")) }
        var scale: Int64 = 1
        for _ in 0 ..< digits { scale *= 10 }
        JSONWriter.appendInt(minor / scale, to: &out)
        var fraction = minor % scale
        var fractionDigits = digits
        if style.trimmed {
            while fractionDigits > 0 && fraction % 10 == 0 { fraction /= 10; fractionDigits -= 1 }
        }
        if fractionDigits > 0 || extraDigit {
            out.append(UInt8(ascii: "."))
            if fractionDigits > 0 { appendPadded(Int(fraction), width: fractionDigits, to: &out) }
            if extraDigit { out.append(UInt8(ascii: "5")) }
        }
        if style.quoted { out.append(UInt8(ascii: "\"")) }
    }

    /// Appends `epochMillis` as RFC 3339 with milliseconds, in the zone `offsetMinutes`
    /// east of UTC: `2026-11-21T10:15:02.120Z` or `2026-11-21T11:15:02.120+01:00`.
    static func appendRFC3339(_ epochMillis: Int64, offsetMinutes: Int, to out: inout [UInt8]) {
        let local = epochMillis + Int64(offsetMinutes) * 60_000
        var days = local / 86_400_000
        var msOfDay = local % 86_400_000
        if msOfDay < 0 { msOfDay += 86_400_000; days -= 1 }
        let date = CivilCalendar.date(days: days)
        appendPadded(Int(date.year), width: 4, to: &out)
        out.append(UInt8(ascii: "-"))
        appendPadded(Int(date.month), width: 2, to: &out)
        out.append(UInt8(ascii: "-"))
        appendPadded(Int(date.day), width: 2, to: &out)
        out.append(UInt8(ascii: "T"))
        appendPadded(Int(msOfDay / 3_600_000), width: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        appendPadded(Int(msOfDay / 60_000 % 60), width: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        appendPadded(Int(msOfDay / 1000 % 60), width: 2, to: &out)
        out.append(UInt8(ascii: "."))
        appendPadded(Int(msOfDay % 1000), width: 3, to: &out)
        if offsetMinutes == 0 {
            out.append(UInt8(ascii: "Z"))
        } else {
            out.append(offsetMinutes > 0 ? UInt8(ascii: "+") : UInt8(ascii: "-"))
            appendPadded(abs(offsetMinutes) / 60, width: 2, to: &out)
            out.append(UInt8(ascii: ":"))
            appendPadded(abs(offsetMinutes) % 60, width: 2, to: &out)
        }
    }

    /// A file size for a summary line: `812 kB`, `24.1 MB`.
    static func sizeText(_ bytes: Int64) -> String {
        if bytes < 1_000_000 { return "\((bytes + 500) / 1000) kB" }
        let tenths = (bytes + 50_000) / 100_000
        return "\(tenths / 10).\(tenths % 10) MB"
    }

    /// Appends a CSV cell, quoted (with doubled quotes) only if it holds `,`, `"`, `\r` or `\n`.
    static func appendCSVCell(_ cell: [UInt8], to out: inout [UInt8]) {
        let needsQuotes = cell.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0D || $0 == 0x0A }
        guard needsQuotes else { out.append(contentsOf: cell); return }
        out.append(UInt8(ascii: "\""))
        for b in cell {
            if b == UInt8(ascii: "\"") { out.append(b) }
            out.append(b)
        }
        out.append(UInt8(ascii: "\""))
    }
}
