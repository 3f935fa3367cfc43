import Dataflow
import NATS

/// The clock marks an edge node writes into its own input (live.md section 3): every
/// interval of wall-clock time, `{"clock": now - lag}`, when that would raise the
/// validation stage's watermark.
public struct ClockMarks {
    let connection: NATSConnection
    let subject: String
    let intervalMs: Int64
    let lagMs: Int64
    let outOfOrdernessMs: Int64
    var lastAt: Int64 = 0
    var lastClock: Int64 = .min

    public init(connection: NATSConnection, subject: String, intervalMs: Int64, lagMs: Int64, outOfOrdernessMs: Int64) {
        self.connection = connection
        self.subject = subject
        self.intervalMs = intervalMs
        self.lagMs = lagMs
        self.outOfOrdernessMs = outOfOrdernessMs
    }

    public mutating func publishIfDue(watermark: Watermark) {
        guard intervalMs > 0 else { return }
        let now = SystemClock.wallMs()
        guard now - lastAt >= intervalMs else { return }
        lastAt = now
        let clock = now - lagMs
        guard clock > lastClock, Watermark(clock - outOfOrdernessMs) > watermark else { return }
        lastClock = clock
        try? connection.publish(subject, payload: Array("{\"clock\":\(clock)}".utf8))
    }
}
