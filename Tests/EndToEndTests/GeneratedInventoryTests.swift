import Dataflow
import Foundation
import Generators
import Jobs
import Testing

/// Properties of the inventory and edge jobs on generated mixed streams.
@Suite(.timeLimit(.minutes(5))) struct GeneratedInventoryTests {
    static func generate(_ f: ReplayFixture, count: Int = 20_000, seed: UInt64 = 5) throws -> (String, InventoryGenerationSummary) {
        let path = f.directory + "/mixed.jsonl"
        let config = InventoryGeneratorConfig(locations: 8, skus: 60, count: count, seed: seed, span: 4 * 3_600_000,
                                              invalidFraction: 0.01)
        return (path, try InventoryGenerator.write(config, to: path))
    }

    @Test func reservationsHoldWhatWasAcceptedAndEachEndsExactlyOnce() throws {
        let f = try ReplayFixture(); defer { f.remove() }
        let (input, summary) = try Self.generate(f)
        let out = try f.run(.inventory, inputs: [input])

        // Every line is a valid transaction, a dead letter or a valid inventory event.
        let newlines = try Data(contentsOf: URL(fileURLWithPath: input)).filter { $0 == 0x0A }.count
        #expect(newlines == summary.lines)

        // Replaying the decisions: held stock never goes negative, and every accepted
        // reservation ends exactly once (the end of input expires what is still open).
        var held: [String: Int] = [:]  // location/sku -> reserved
        var open: [String: [(String, Int)]] = [:]  // location/id -> lines
        var ended: Set<String> = []
        var accepted = 0
        for d in out.decisions {
            let id = "\(d["location"]!)/\(d["reservation_id"]!)"
            switch d["decision"] as! String {
            case "accepted":
                if open[id] != nil || ended.contains(id) { continue }  // a repeated id repeats its first decision
                accepted += 1
                let lines = (d["lines"] as! [[String: Any]]).map { ($0["sku"] as! String, $0["qty"] as! Int) }
                open[id] = lines
                for (sku, qty) in lines { held["\(d["location"]!)/\(sku)", default: 0] += qty }
            case "committed", "released", "expired":
                let removed = open.removeValue(forKey: id)
                let lines = try #require(removed, "\(id) ended without being open")
                #expect(ended.insert(id).inserted, "\(id) ended twice")
                for (sku, qty) in lines {
                    held["\(d["location"]!)/\(sku)", default: 0] -= qty
                    #expect(held["\(d["location"]!)/\(sku)"]! >= 0)
                }
            default:
                break
            }
        }
        #expect(open.isEmpty, "open at the end: \(open.keys.sorted().prefix(5))")
        #expect(ended.count == accepted)
        // The generator keeps its own account of the rules: the expiries must agree.
        #expect(out.decisions.filter { $0["decision"] as? String == "expired" }.count == summary.expectedExpiries)
        // Every line is exactly one of: valid transaction, dead letter, valid inventory event.
        let events = summary.stockSets + summary.adjustments + summary.reserves + summary.commits + summary.releases
        #expect(out.valid.count + out.invalid.count + events == summary.lines)
        #expect(out.invalid.count == summary.invalid)
        #expect(accepted > 50)
        #expect(held.values.allSatisfy { $0 == 0 })
        let outcomes = Set(out.decisions.map { $0["decision"] as! String })
        #expect(outcomes == ["accepted", "rejected", "committed", "released", "expired"])
        #expect(!out.alerts.isEmpty && !out.availability.isEmpty)
    }

    @Test func twoEdgeRunsWriteByteIdenticalFilesWhateverTheBatchSize() throws {
        let f = try ReplayFixture(); defer { f.remove() }
        let (input, _) = try Self.generate(f, count: 8_000, seed: 9)
        var options = JobOptions()
        let first = try f.run(.edge, inputs: [input], options: options, out: "a")
        let second = try f.run(.edge, inputs: [input], options: options, out: "b")
        options.batchLines = 7
        let small = try f.run(.edge, inputs: [input], options: options, out: "c")
        for name in JobKind.edge.outputs {
            if name != "late.jsonl" { #expect(!first.bytes(name).isEmpty, "\(name) is empty") }
            let sameAcrossRuns = first.bytes(name) == second.bytes(name)
            let sameAcrossBatchSizes = first.bytes(name) == small.bytes(name)
            #expect(sameAcrossRuns, "\(name) differs between runs")
            #expect(sameAcrossBatchSizes, "\(name) depends on the batch size")
        }
    }

    @Test func theEdgeJobWritesWhatTheSeparateJobsWrite() throws {
        let f = try ReplayFixture(); defer { f.remove() }
        let (input, _) = try Self.generate(f, count: 6_000, seed: 13)
        let edge = try f.run(.edge, inputs: [input], out: "edge")
        let inventory = try f.run(.inventory, inputs: [input], out: "inventory")
        let turnover = try f.run(.turnover, inputs: [input], out: "turnover")
        for name in ["decisions.jsonl", "alerts.jsonl", "availability.jsonl", "valid.jsonl", "invalid.jsonl"] {
            let same = edge.bytes(name) == inventory.bytes(name)
            #expect(same, "\(name) differs from the inventory job's")
        }
        for name in ["turnover.jsonl", "rollup.jsonl", "late.jsonl"] {
            let same = edge.bytes(name) == turnover.bytes(name)
            #expect(same, "\(name) differs from the turnover job's")
        }
    }

    @Test func theRocksDBBackendGivesTheSameOutputsAsMemory() throws {
        let f = try ReplayFixture(); defer { f.remove() }
        let (input, _) = try Self.generate(f, count: 6_000, seed: 21)
        var options = JobOptions()
        options.dedupHorizonMs = 600_000  // let dedup state expire during the run
        options.allowedLatenessMs = 2_000
        let memory = try f.run(.edge, inputs: [input], options: options, out: "memory")
        let rocks = try f.run(.edge, inputs: [input], options: options, out: "rocks", rocksDB: true)
        for name in JobKind.edge.outputs {
            let same = memory.bytes(name) == rocks.bytes(name)
            #expect(same, "\(name) differs between backends")
        }
    }
}
