import ArgumentParser

/// A duration on the command line: an integer with a unit, `500ms`, `10s`, `90m`, `24h`,
/// `7d`, or several of them (`1h30m`); `0` alone is zero. Held in milliseconds.
public struct DurationArgument: ExpressibleByArgument, Equatable, CustomStringConvertible {
    public var milliseconds: Int64

    public init(milliseconds: Int64) { self.milliseconds = milliseconds }

    public init?(argument: String) {
        guard let ms = Self.parse(argument) else { return nil }
        milliseconds = ms
    }

    public static func parse(_ text: String) -> Int64? {
        if text == "0" { return 0 }
        var total: Int64 = 0
        var bytes = text.utf8[...]
        guard !bytes.isEmpty else { return nil }
        while !bytes.isEmpty {
            var value: Int64 = 0
            var digits = 0
            while let b = bytes.first, b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") {
                let (times10, o1) = value.multipliedReportingOverflow(by: 10)
                let (next, o2) = times10.addingReportingOverflow(Int64(b - UInt8(ascii: "0")))
                guard !o1 && !o2 else { return nil }
                value = next
                digits += 1
                bytes = bytes.dropFirst()
            }
            guard digits > 0 else { return nil }
            var unit: [UInt8] = []
            while let b = bytes.first, b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z") {
                unit.append(b)
                bytes = bytes.dropFirst()
            }
            let scale: Int64
            switch String(decoding: unit, as: UTF8.self) {
            case "ms": scale = 1
            case "s": scale = 1000
            case "m": scale = 60_000
            case "h": scale = 3_600_000
            case "d": scale = 86_400_000
            default: return nil
            }
            let (part, o1) = value.multipliedReportingOverflow(by: scale)
            let (sum, o2) = total.addingReportingOverflow(part)
            guard !o1 && !o2 else { return nil }
            total = sum
        }
        return total
    }

    /// The shortest exact form in hours at most: `24h`, `90m`, `1500ms`.
    public var description: String {
        for (unit, scale) in [("h", Int64(3_600_000)), ("m", 60_000), ("s", 1000)]
        where milliseconds != 0 && milliseconds % scale == 0 {
            return "\(milliseconds / scale)\(unit)"
        }
        return milliseconds == 0 ? "0s" : "\(milliseconds)ms"
    }

    public var defaultValueDescription: String { description }

    public static var defaultCompletionKind: CompletionKind { .default }
}
