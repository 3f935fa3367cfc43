import Dataflow
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A one-line progress display on standard error, redrawn in place at most ten times a
/// second; silent when standard error is not a terminal (logs, CI, pipes).
public struct ProgressBar {
    let totalBytes: Int64?
    let enabled: Bool
    private var lastDraw: Double = 0
    private let started = ProgressBar.seconds()

    public init(totalBytes: Int64?, enabled: Bool = isatty(2) == 1) {
        self.totalBytes = totalBytes
        self.enabled = enabled
    }

    public mutating func update(bytes: Int64, records: Int64) {
        guard enabled else { return }
        let now = ProgressBar.seconds()
        guard now - lastDraw >= 0.1 else { return }
        lastDraw = now
        let elapsed = max(now - started, 1e-9)
        let rate = SummaryText.count(Int64(Double(records) / elapsed))
        var line = ""
        if let total = totalBytes, total > 0 {
            let fraction = min(1, Double(bytes) / Double(total))
            let width = 30
            let filled = Int(fraction * Double(width))
            line = "[" + String(repeating: "=", count: filled) + String(repeating: " ", count: width - filled) + "] "
                + "\(Int(fraction * 100))%  "
        }
        line += "\(SummaryText.count(records)) records  \(rate)/s  \(SummaryText.seconds(elapsed))"
        fputs("\r\u{1B}[2K" + line, stderr)
    }

    /// Seconds on the monotonic clock the checkpoint intervals use.
    static func seconds() -> Double { Double(SystemClock.monotonicMs()) / 1000 }

    public func clear() {
        guard enabled else { return }
        fputs("\r\u{1B}[2K", stderr)
    }
}
