import Foundation
import Jobs
import Testing

/// live.md section 1, by example: a line `{"clock":T}` is no record but moves every
/// stage's watermark as an accepted record with event time T would, in `replay` too,
/// on both backends (`ReplayFixture.run`) and at any parallelism.
@Suite(.timeLimit(.minutes(5))) struct ClockMarkTests {
    func clock(_ t: Int64) -> String { "{\"clock\":\(t)}" }

    @Test(arguments: [1, 2]) func aQuietStoresWindowFiresOnAClockMarkSoALaterRecordIsLate(parallelism: Int) throws {
        let f = try ReplayFixture(); defer { f.remove() }
        var options = JobOptions()
        options.parallelism = parallelism
        let lines = [tx("a", at: T0 + 1_000), clock(T0 + 13_000), tx("b", at: T0 + 5_000)]
        let marked = try f.run(.turnover, inputs: [try f.write("marked.jsonl", lines)], options: options, out: "marked")
        #expect(marked.rows() == ["store-1 EUR \(T0 + 10_000) 100/0/1/1 #0"])  // fired at the mark, before b
        #expect(marked.late.map { $0["tx_id"] as? String } == ["b"])
        #expect(marked.late.first?["late_by_ms"] as? Int == 1_000)  // watermark T0+11_000, window end T0+10_000
        #expect(marked.valid.count == 2 && marked.invalid.isEmpty)  // the mark is in no output

        let unmarked = try f.run(.turnover, inputs: [try f.write("plain.jsonl", [lines[0], lines[2]])], options: options,
                                 out: "plain")
        #expect(unmarked.rows() == ["store-1 EUR \(T0 + 10_000) 200/0/2/2 #0"])
        #expect(unmarked.late.isEmpty)
    }

    @Test func aMarkBelowTheWatermarkChangesNothing() throws {
        let f = try ReplayFixture(); defer { f.remove() }
        let records = [
            Inv.stockSet("e1", "store-1", "SKU-1", 10, at: T0),
            tx("a", at: T0 + 20_000),
            Inv.reserve("r1", "store-1", [("SKU-1", 2)], ttl: 30_000, at: T0 + 21_000),
            tx("b", at: T0 + 25_000),
        ]
        var marked = records
        marked.insert(clock(T0 + 10_000), at: 2)  // the watermark is T0+18_000 here
        marked.insert(clock(T0), at: 4)
        let plain = try f.run(.edge, inputs: [try f.write("plain.jsonl", records)], out: "plain")
        let withMarks = try f.run(.edge, inputs: [try f.write("marked.jsonl", marked)], out: "marked")
        for name in ReplayFixture.outputNames {
            #expect(plain.bytes(name) == withMarks.bytes(name), "\(name)")
        }
        #expect(!plain.bytes("turnover.jsonl").isEmpty && !plain.bytes("decisions.jsonl").isEmpty)
    }

    @Test func aClockObjectWithAnythingElseIsAnOrdinaryRecordAndDeadLettered() throws {
        let f = try ReplayFixture(); defer { f.remove() }
        let lines = [
            "{\"clock\":\(T0),\"note\":\"x\"}",
            "{\"clock\":1.5}",
            "{\"clock\":\"\(T0)\"}",
            "{\"clock\":1e3}",
            "{\"clock\":1,\"clock\":2}",
            "{\"clock\":9223372036854775808}",
            "{\"clocks\":\(T0)}",
            "{\"clock\":-9223372036854775808}",  // a mark: the lowest there is
            " { \"clock\" : \(T0) } ",  // a mark: whitespace is JSON's
            tx("a", at: T0),
        ]
        let input = try f.write("tx.jsonl", lines)
        for kind in [JobKind.validation, .edge] {
            let out = try f.run(kind, inputs: [input], out: "\(kind)")
            #expect(out.invalid.map { $0["source"] as? String } == (1 ... 7).map { "tx.jsonl:\($0)" }, "\(kind)")
            #expect(out.invalid.allSatisfy { ["missing_field", "bad_field"].contains($0["reason"] as? String) }, "\(kind)")
            #expect(out.valid.count == 1)
        }
    }

    /// The inventory stage's own watermark moves with the mark: a reservation expires
    /// there, before the next record, and frees its stock for it.
    @Test func aReservationExpiresAtAClockMarkBeforeTheNextRecord() throws {
        let f = try ReplayFixture(); defer { f.remove() }
        let lines = [
            Inv.stockSet("e1", "store-1", "SKU-1", 3, at: T0),
            Inv.reserve("r1", "store-1", [("SKU-1", 3)], ttl: 1_000, at: T0 + 1),
            clock(T0 + 10_000),
            Inv.reserve("r2", "store-1", [("SKU-1", 3)], ttl: 1_000, at: T0 + 2),
        ]
        let (marked, plain) = try (f.run(.inventory, inputs: [try f.write("marked.jsonl", lines)], out: "marked"),
                                   f.run(.inventory, inputs: [try f.write("plain.jsonl", lines.filter { !$0.hasPrefix("{\"clock") })],
                                         out: "plain"))
        #expect(marked.decisionSummaries == [
            "r1 accepted \(T0 + 1) SKU-1:3:0",
            "r1 expired \(T0 + 1_001)",
            "r2 accepted \(T0 + 2) SKU-1:3:0",
            "r2 expired \(T0 + 1_002)",
        ])
        #expect(plain.decisionSummaries.prefix(2) == ["r1 accepted \(T0 + 1) SKU-1:3:0", "r2 rejected/insufficient_stock \(T0 + 2) SKU-1:3:0"])
    }

    /// Dedup's horizon is judged by the validation stage's watermark, which marks move.
    @Test func aMarkPastTheDedupHorizonMakesARepeatedIDNewAgain() throws {
        let f = try ReplayFixture(); defer { f.remove() }
        var options = JobOptions()
        options.dedupHorizonMs = 60_000
        let lines = [tx("a", at: T0), clock(T0 + 100_000), tx("a", at: T0 + 1)]
        let marked = try f.run(.validation, inputs: [try f.write("marked.jsonl", lines)], options: options, out: "marked")
        #expect(marked.valid.count == 2 && marked.invalid.isEmpty)
        let plain = try f.run(.validation, inputs: [try f.write("plain.jsonl", [lines[0], lines[2]])], options: options,
                              out: "plain")
        #expect(plain.valid.count == 1 && plain.invalid.map { $0["reason"] as? String } == ["duplicate"])
    }
}
