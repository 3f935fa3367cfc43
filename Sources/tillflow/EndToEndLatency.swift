import Connectors
import Foundation
import NATS

/// `simulate --latency-of NODE`: the time from a transaction's publish to its row being
/// stored on the node's `valid` subject of `TILLFLOW_OUT` (the stream's own timestamp),
/// matched by `tx_id`. Both clocks are this machine's wall clock: the node, the server
/// and the simulator run on one host for this to mean anything.
struct EndToEndLatency {
    let subject: String
    /// The first sequence of `TILLFLOW_OUT` that can hold a row of this run.
    let fromSequence: UInt64
    /// Wall-clock nanoseconds of each valid transaction's publish, by `tx_id`.
    var sentAt: [String: UInt64] = [:]

    init(node: String, fromSequence: UInt64) {
        subject = "tillflow.out.\(node).valid"
        self.fromSequence = fromSequence
    }

    static var nowNanoseconds: UInt64 { UInt64(Date().timeIntervalSince1970 * 1e9) }

    /// Where `TILLFLOW_OUT` stands now: rows before are not this run's.
    static func nextSequence(_ js: JetStream) async throws -> UInt64 {
        try await js.ensureStream(TillflowStreams.output).state.lastSeq + 1
    }

    mutating func sent(line: [UInt8], at nanoseconds: UInt64) {
        if let id = Self.transactionID(of: line) { sentAt[id] = nanoseconds }
    }

    /// A generated line's `tx_id` (its first member: `{"tx_id":"...`).
    static func transactionID(of line: [UInt8]) -> String? {
        let prefix = Array(#"{"tx_id":""#.utf8)
        guard line.starts(with: prefix), let end = line[prefix.count...].firstIndex(of: UInt8(ascii: "\"")) else { return nil }
        return String(decoding: line[prefix.count ..< end], as: UTF8.self)
    }

    /// Reads the node's valid rows of this run (waiting up to `patience` for the last
    /// ones) and says p50, p99 and the maximum.
    func report(_ js: JetStream, patience: Duration = .seconds(15)) async throws -> String {
        let reader = try await JetStreamPullConsumer.start(js, stream: "TILLFLOW_OUT", startSequence: fromSequence,
                                                           filterSubjects: [subject], batch: 1_000)
        var latencies: [Double] = []
        let deadline = ContinuousClock.now + patience
        while latencies.count < sentAt.count && ContinuousClock.now < deadline {
            let rows = try reader.poll()
            if rows.isEmpty { try await Task.sleep(for: .milliseconds(20)) }
            for row in rows {
                guard let id = Self.transactionID(of: row.payload), let sent = sentAt[id] else { continue }
                latencies.append(Double(Int64(row.storedAtNanoseconds) - Int64(sent)) / 1e6)
            }
        }
        await reader.stop()
        guard !latencies.isEmpty else { return "latency: no row of this run reached \(subject)" }
        latencies.sort()
        func percentile(_ p: Double) -> String {
            String(format: "%.2f", latencies[min(latencies.count - 1, Int(p * Double(latencies.count)))])
        }
        return "latency from publish to the row stored on \(subject): p50 \(percentile(0.5)) ms, p99 \(percentile(0.99)) ms, "
            + "max \(String(format: "%.2f", latencies.last!)) ms over \(latencies.count) rows"
            + (latencies.count < sentAt.count ? " (\(sentAt.count - latencies.count) rows not seen)" : "")
    }
}
