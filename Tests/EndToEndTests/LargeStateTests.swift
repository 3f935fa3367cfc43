import Dataflow
import Foundation
import Generators
import Jobs
import Testing

/// The default backend at scale: jobs whose RocksDB state holds several times the
/// write-back cache (65,536 entries per state) while the watermark advances on most
/// records and entries expire, checked byte for byte against the memory backend. (Issue
/// 15's cliff lived exactly there, and no job test went past 12,000 lines.)
@Suite(.timeLimit(.minutes(10))) struct LargeStateTests {
    static let cache = 65_536

    /// The most lines of `path` whose `"key":` integer falls within any `width` ms, among
    /// lines that contain `marker`: a lower bound of what the state holds at once.
    static func mostWithin(_ width: Int64, of path: String, marker: String, key: String = "\"event_time\":") throws -> Int {
        // Malformed lines may not be UTF-8: decoding repairs them, they hold no key anyway.
        let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
        var times: [Int64] = []
        let iso = ISO8601DateFormatter()
        iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        for line in text.split(separator: "\n") where line.contains(marker) {
            guard let range = line.range(of: key) else { continue }
            let value = line[range.upperBound...]
            if value.first == "\"" {  // RFC 3339 text, as the spec allows
                let text = value.dropFirst().prefix { $0 != "\"" }
                if let date = iso.date(from: String(text)) { times.append(Int64((date.timeIntervalSince1970 * 1000).rounded())) }
            } else if let t = Int64(value.prefix { $0.isNumber }) {
                times.append(t)
            }
        }
        times.sort()
        var most = 0, low = 0
        for high in times.indices {
            while times[high] - times[low] > width { low += 1 }
            most = max(most, high - low + 1)
        }
        return most
    }

    /// 300,000 POS lines over 5 minutes with late, duplicate and malformed ones, a dedup
    /// horizon of 200 s: about 200,000 keys remembered at once, a third of them
    /// forgotten again during the run.
    @Test func validationWithThreeTimesTheCacheInDedupKeysMatchesMemory() throws {
        let f = try ReplayFixture(); defer { f.remove() }
        let input = f.directory + "/pos.jsonl"
        let config = POSGeneratorConfig(stores: 50, count: 300_000, seed: 5, span: 300_000,
                                        lateFraction: 0.01, duplicateFraction: 0.02, invalidFraction: 0.01)
        _ = try POSGenerator.write(config, to: input)
        var options = JobOptions()
        options.dedupHorizonMs = 200_000
        #expect(try Self.mostWithin(options.dedupHorizonMs, of: input, marker: "tx_id") > 3 * Self.cache)
        let memory = try f.run(.validation, inputs: [input], options: options, out: "memory", rocksDB: false)
        let rocks = try f.run(.validation, inputs: [input], options: options, out: "rocks", rocksDB: true)
        for name in JobKind.validation.outputs {
            let same = memory.bytes(name) == rocks.bytes(name)
            #expect(same, "\(name) differs between backends")
        }
        #expect(memory.lines("invalid.jsonl").count > 300_000 / 100)
        #expect(memory.lines("valid.jsonl").count > 300_000 * 9 / 10)
    }

    /// A reservation-heavy inventory stream (400,000 lines over 4 hours, 20% POS):
    /// finished reservations are remembered for the dedup horizon of 3 hours, so the
    /// reservation state holds over 1.5x the cache while reservations expire by TTL
    /// and, in the last hour, remembered ones are forgotten. A second file re-sends the
    /// first hour's reservations 3 h 20 min later, when most of them have been
    /// forgotten (a new decision) and some not yet (their first decision again): what
    /// the backend reads back from disk decides which.
    @Test func theEdgeJobWithOverTheCacheInReservationsMatchesMemory() throws {
        let f = try ReplayFixture(); defer { f.remove() }
        let input = f.directory + "/inventory.jsonl"
        let config = InventoryGeneratorConfig(locations: 20, skus: 1_000, count: 400_000, seed: 8, span: 4 * 3_600_000,
                                              invalidFraction: 0.005, posFraction: 0.2)
        let summary = try InventoryGenerator.write(config, to: input)
        #expect(summary.expectedExpiries > 10_000)
        var options = JobOptions()
        options.dedupHorizonMs = 3 * 3_600_000
        #expect(try Self.mostWithin(options.dedupHorizonMs, of: input, marker: "\"reserve\"") > 3 * Self.cache / 2)
        let resends = f.directory + "/resends.jsonl"
        try Self.resendReservations(of: input, before: config.start + 3_600_000, later: 12_000_000, to: resends)
        let memory = try f.run(.edge, inputs: [input, resends], options: options, out: "memory", rocksDB: false)
        let rocks = try f.run(.edge, inputs: [input, resends], options: options, out: "rocks", rocksDB: true)
        for name in JobKind.edge.outputs {
            let same = memory.bytes(name) == rocks.bytes(name)
            #expect(same, "\(name) differs between backends")
        }
        #expect(memory.lines("decisions.jsonl").count > summary.reserves)
        // Both cases happen: a re-sent id decided anew, and one repeating its first decision.
        var firstDecision: [String: String] = [:]
        var decidedAnew = 0, repeated = 0
        for line in memory.lines("decisions.jsonl") where !line.contains("\"committed\"") && !line.contains("\"released\"")
            && !line.contains("\"expired\"") && !line.contains("\"reason\":\"unknown_reservation\"")
            && !line.contains("\"reason\":\"already_") {
            let id = String(line.split(separator: ",")[0]) + String(line.split(separator: ",")[2])  // id and location
            if let first = firstDecision[id] {
                if first == line { repeated += 1 } else { decidedAnew += 1 }
            } else {
                firstDecision[id] = line
            }
        }
        #expect(decidedAnew > 1_000 && repeated > 100, "\(decidedAnew) decided anew, \(repeated) repeated")
    }

    /// Writes the `reserve` lines of `path` with an integer `event_time` before `before`,
    /// their event time moved `later` ms on.
    static func resendReservations(of path: String, before: Int64, later: Int64, to output: String) throws {
        let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
        var out = ""
        for line in text.split(separator: "\n") where line.hasPrefix("{\"type\":\"reserve\"") {
            guard let range = line.range(of: "\"event_time\":") else { continue }
            let digits = line[range.upperBound...].prefix { $0.isNumber }
            guard let time = Int64(digits), time < before else { continue }
            out += line[..<range.upperBound] + String(time + later) + line[digits.endIndex...] + "\n"
        }
        try Data(out.utf8).write(to: URL(fileURLWithPath: output))
    }
}
