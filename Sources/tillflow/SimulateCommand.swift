import ArgumentParser
import Connectors
import Dataflow
import Foundation
import Generators
import JobCommands
import NATS

/// `tillflow simulate`: POS terminals of `--stores` stores publishing transactions with
/// the current time to `tillflow.in.<store>.pos` at a steady `--rate`, for the demo and
/// for load tests (cli.md).
struct Simulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Publish generated POS transactions with the current time at a steady rate.",
        discussion: """
            Mostly valid transactions up to 1.5 s behind the wall clock, a few late (5 s to 10 min behind), \
            a few sent twice and a few breaking a rule, each on its location's subject of TILLFLOW_IN (created \
            when missing). JetStream acknowledges every line; the rate is kept by the wall clock. Runs for \
            --duration, or until SIGINT or SIGTERM, then prints what it published.
            """)

    @OptionGroup var connection: NATSConnectionArguments
    @Option(help: "Number of stores (store-0001 ...).") var stores: Int = 3
    @Option(help: "The number of the first store (one store's terminals: --stores 1 --first-store 42).") var firstStore: Int = 1
    @Option(help: "Lines per second, all stores together.") var rate: Double
    @Option(help: "How long to publish (default: until stopped).") var duration: DurationArgument?
    @Option(help: "Seed of the random traffic (default: from the clock).") var seed: UInt64?
    @Option(help: "Fraction of late lines (0...1).") var lateFraction: Double = 0.01
    @Option(help: "Fraction of lines sent twice (0...1).") var duplicateFraction: Double = 0.005
    @Option(help: "Fraction of lines breaking a rule (0...1).") var invalidFraction: Double = 0.01
    @Option(help: "At the end, the latency from publish to the row stored on tillflow.out.<node>.valid (same host).")
    var latencyOf: String?

    func validate() throws {
        guard (1 ... 9_999).contains(stores) else { throw ValidationError("--stores must be in 1...9999") }
        guard firstStore >= 1, firstStore + stores - 1 <= 99_999 else { throw ValidationError("--first-store must be in 1...\(100_000 - stores)") }
        guard rate > 0, rate.isFinite else { throw ValidationError("--rate must be positive") }
        for (flag, f) in [("--late-fraction", lateFraction), ("--duplicate-fraction", duplicateFraction),
                          ("--invalid-fraction", invalidFraction)] where !(0 ... 1).contains(f) {
            throw ValidationError("\(flag) must be within 0...1")
        }
        guard lateFraction + duplicateFraction + invalidFraction <= 1 else { throw ValidationError("the fractions add up to more than 1") }
    }

    func run() throws {
        StopSignal.install()
        let options = try self.connection.options()
        let connection = try blockingWait { try await NATSConnection.connect(options) }
        let js = self.connection.jetStream(connection)
        _ = try blockingWait { try await js.ensureStream(TillflowStreams.input) }
        var latency: EndToEndLatency?
        if let node = latencyOf {
            latency = EndToEndLatency(node: node, fromSequence: try blockingWait { try await EndToEndLatency.nextSequence(js) })
        }
        let began = SystemClock.wallMs()
        var maker = LiveTransactionMaker(stores: stores, firstStore: firstStore, seed: seed ?? UInt64(began), start: began, lateFraction: lateFraction,
                                         duplicateFraction: duplicateFraction, invalidFraction: invalidFraction)
        var counts: [LiveTransactionMaker.Kind: Int] = [:]
        var sent = 0
        var line: [UInt8] = []
        let end = duration.map { began + $0.milliseconds }
        while StopSignal.received == nil {
            let now = SystemClock.wallMs()
            if let end, now >= end { break }
            // As many as the rate owes by now, at most a second's worth at once.
            let due = min(Int(rate * Double(now - began) / 1000) - sent, max(1, Int(rate)))
            guard due > 0 else {
                usleep(2_000)
                continue
            }
            var requests: [NATSRequest] = []
            requests.reserveCapacity(due)
            let sentAt = EndToEndLatency.nowNanoseconds
            for _ in 0 ..< due {
                line.removeAll(keepingCapacity: true)
                let kind = maker.appendLine(now: now, to: &line)
                counts[kind, default: 0] += 1
                if kind == .valid { latency?.sent(line: line, at: sentAt) }
                requests.append(.inputRecord(line))
            }
            let batch = requests
            _ = try blockingWait { try await js.publish(batch) }
            sent += due
        }
        let seconds = Double(SystemClock.wallMs() - began) / 1000
        let measured = latency
        let latencyReport = try measured.map { m in try blockingWait { try await m.report(js) } }
        try blockingWait { await connection.close() }
        print("simulate: published \(sent) lines in \(String(format: "%.1f", seconds)) s (\(Int(Double(sent) / max(seconds, 0.001))) per second): "
            + "\(counts[.valid] ?? 0) valid, \(counts[.late] ?? 0) late, \(counts[.duplicate] ?? 0) duplicates, "
            + "\(counts[.invalid] ?? 0) invalid")
        if let latencyReport { print("simulate: " + latencyReport) }
    }
}
