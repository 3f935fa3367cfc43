/// How a run's summary writes its figures.
public enum SummaryText {
    /// 1234567 -> "1,234,567".
    public static func count(_ n: Int64) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return n < 0 ? "-" + out : out
    }

    /// 0.0123 -> "12.3 ms".
    public static func milliseconds(_ s: Double) -> String {
        let tenths = Int((s * 10_000).rounded())
        return "\(tenths / 10).\(tenths % 10) ms"
    }

    /// 12.34 -> "12.3 s".
    public static func seconds(_ s: Double) -> String {
        let tenths = Int((s * 10).rounded())
        return "\(tenths / 10).\(tenths % 10) s"
    }

    /// A summary line: the label padded to a column, then the value (`  valid            1,234`).
    public static func line(_ label: String, _ value: String, indent: Int = 2, width: Int = 17) -> String {
        String(repeating: " ", count: indent) + label + String(repeating: " ", count: max(1, width - label.count)) + value
    }
}
