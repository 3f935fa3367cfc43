import Dataflow
import Foundation
import Generators
import Jobs
import Testing

/// Properties that hold on any generated input, with late, duplicate and malformed lines.
@Suite(.timeLimit(.minutes(5))) struct GeneratedInputTests {
    static func generate(_ f: ReplayFixture, _ name: String, format: InputFormat = .jsonLines, count: Int = 20_000,
                         seed: UInt64 = 7) throws -> (path: String, summary: POSGenerationSummary) {
        let path = f.directory + "/" + name
        let config = POSGeneratorConfig(stores: 12, count: count, seed: seed, format: format, span: 3_600_000,
                                        lateFraction: 0.01, duplicateFraction: 0.01, invalidFraction: 0.02)
        return (path, try POSGenerator.write(config, to: path))
    }

    @Test(arguments: [InputFormat.jsonLines, .csv])
    func everyLineIsAccountedForExactlyOnce(format: InputFormat) throws {
        let f = try ReplayFixture(); defer { f.remove() }
        let (input, summary) = try Self.generate(f, format == .csv ? "pos.csv" : "pos.jsonl", format: format)
        let out = try f.run(.turnover, inputs: [input])

        // Every line is valid or a dead letter, never both, never neither.
        #expect(out.valid.count + out.invalid.count == summary.lines)
        let sources = out.invalid.map { $0["source"] as! String }
        #expect(Set(sources).count == sources.count)
        let validKeys = out.valid.map { "\($0["store_id"]!)/\($0["tx_id"]!)" }
        #expect(Set(validKeys).count == validKeys.count)  // the horizon spans the whole input

        // The reasons are the ones the generator injected.
        var expected: [String: Int] = [:]
        for (kind, n) in summary.invalidByKind { expected[kind.expectedReason.rawValue, default: 0] += n }
        expected["duplicate", default: 0] += summary.duplicates
        var actual: [String: Int] = [:]
        for letter in out.invalid { actual[letter["reason"] as! String, default: 0] += 1 }
        #expect(actual == expected)

        // Every valid transaction counts in exactly one window's last revision or is late.
        var last: [String: [String: Any]] = [:]
        for row in out.turnover { last["\(row["store_id"]!) \(row["currency"]!) \(row["window_end"]!)"] = row }
        let windowed = last.values.reduce(0) { $0 + ($1["tx_count"] as! Int) }
        #expect(windowed + out.late.count == out.valid.count)
        #expect(out.late.count > 0)

        // The rollup's last revision per window and currency sums the store rows' last revisions.
        var sums: [String: (Int, Int, Int)] = [:]
        for row in last.values {
            let k = "\(row["currency"]!) \(row["window_end"]!)"
            let s = sums[k] ?? (0, 0, 0)
            sums[k] = (s.0 + (row["turnover_minor"] as! Int), s.1 + (row["tx_count"] as! Int), s.2 + 1)
        }
        var rollupLast: [String: [String: Any]] = [:]
        for row in out.rollup { rollupLast["\(row["currency"]!) \(row["window_end"]!)"] = row }
        #expect(rollupLast.count == sums.count)
        for (k, row) in rollupLast {
            #expect(sums[k].map { [$0.0, $0.1, $0.2] } == [row["turnover_minor"] as! Int, row["tx_count"] as! Int, row["stores"] as! Int])
        }
    }

    @Test func twoRunsWriteByteIdenticalFilesWhateverTheBatchSize() throws {
        let f = try ReplayFixture(); defer { f.remove() }
        let (input, _) = try Self.generate(f, "pos.jsonl", count: 8_000, seed: 11)
        var options = JobOptions()
        options.allowedLatenessMs = 3_000
        let first = try f.run(.turnover, inputs: [input], options: options, out: "a")
        let second = try f.run(.turnover, inputs: [input], options: options, out: "b")
        options.batchLines = 7
        let small = try f.run(.turnover, inputs: [input], options: options, out: "c")
        for name in JobKind.turnover.outputs {
            #expect(!first.bytes(name).isEmpty, "\(name) is empty")
            let sameAcrossRuns = first.bytes(name) == second.bytes(name)
            let sameAcrossBatchSizes = first.bytes(name) == small.bytes(name)
            #expect(sameAcrossRuns, "\(name) differs between runs")
            #expect(sameAcrossBatchSizes, "\(name) depends on the batch size")
        }
    }

    @Test func aCompressedInputGivesTheSameOutputsAsThePlainOne() throws {
        let f = try ReplayFixture(); defer { f.remove() }
        let (plain, _) = try Self.generate(f, "pos.jsonl", count: 5_000, seed: 3)
        let (compressed, _) = try Self.generate(f, "pos.jsonl.zst", count: 5_000, seed: 3)
        let a = try f.run(.turnover, inputs: [plain], out: "plain")
        let b = try f.run(.turnover, inputs: [compressed], out: "zst")
        for name in ["valid.jsonl", "turnover.jsonl", "rollup.jsonl", "late.jsonl"] {
            let same = a.bytes(name) == b.bytes(name)
            #expect(same, "\(name) differs")
        }
        // Dead letters name their own file.
        #expect(a.invalid.first?["source"] as? String != b.invalid.first?["source"] as? String)
    }
}
