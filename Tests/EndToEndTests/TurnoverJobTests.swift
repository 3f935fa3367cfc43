import Dataflow
import Foundation
import Jobs
import Testing

/// Spec section 4, by example: given these transactions in this order, these rows.
@Suite(.timeLimit(.minutes(5))) struct TurnoverJobTests {
    @Test func disorderWithinTheBoundIsCountedInTheRightWindow() throws {
        let f = try ReplayFixture(); defer { f.remove() }
        let input = try f.write("tx.jsonl", [
            tx("a", at: T0 + 1_000),
            tx("b", at: T0 + 11_000, items: [("SKU-1", 2, "2.50")]),  // watermark T0+9_000
            tx("c", at: T0 + 9_500, items: [("SKU-2", 3, "1.00")]),  // before the watermark reached T0+10_000
        ])
        let out = try f.run(.turnover, inputs: [input])
        #expect(out.rows() == [
            "store-1 EUR \(T0 + 10_000) 400/0/2/4 #0",
            "store-1 EUR \(T0 + 20_000) 500/0/1/2 #0",
        ])
        #expect(out.late.isEmpty)
    }

    @Test func beyondTheBoundARecordGoesToLateWithHowLate() throws {
        let f = try ReplayFixture(); defer { f.remove() }
        let input = try f.write("tx.jsonl", [
            tx("a", at: T0 + 1_000),
            tx("b", at: T0 + 15_000),  // watermark T0+13_000: the first window fired
            tx("c", at: T0 + 4_000, items: [("SKU-9", 1, "9.99")]),
        ])
        let out = try f.run(.turnover, inputs: [input])
        #expect(out.rows() == ["store-1 EUR \(T0 + 10_000) 100/0/1/1 #0", "store-1 EUR \(T0 + 20_000) 100/0/1/1 #0"])
        #expect(out.late.count == 1)
        #expect(out.late.first?["tx_id"] as? String == "c")
        #expect(out.late.first?["late_by_ms"] as? Int == 3_000)
        #expect(out.late.first?["total_minor"] as? Int == 999)
        #expect(out.valid.count == 3)  // a late transaction is still valid
    }

    @Test func allowedLatenessRevisesTheStoreRowAndTheRollup() throws {
        let f = try ReplayFixture(); defer { f.remove() }
        let input = try f.write("tx.jsonl", [
            tx("a", store: "s1", at: T0 + 1_000),
            tx("b", store: "s2", at: T0 + 2_000, items: [("SKU-1", 1, "2.00")]),
            tx("c", store: "s1", at: T0 + 13_000),  // watermark T0+11_000: window 1 fires
            tx("d", store: "s1", at: T0 + 5_000, items: [("SKU-1", 1, "4.00")]),  // within 5 s: revision 1
            tx("e", store: "s3", at: T0 + 6_000, items: [("SKU-1", 1, "8.00")]),  // creates s3's row: revision 0
            tx("f", store: "s1", at: T0 + 17_000),  // watermark T0+15_000: window 1 closes
            tx("g", store: "s2", at: T0 + 7_000),  // late by 5_000
        ])
        var options = JobOptions()
        options.allowedLatenessMs = 5_000
        let out = try f.run(.turnover, inputs: [input], options: options)
        let w1 = T0 + 10_000, w2 = T0 + 20_000
        #expect(out.rows() == [
            "s1 EUR \(w1) 100/0/1/1 #0",
            "s2 EUR \(w1) 200/0/1/1 #0",
            "s1 EUR \(w1) 500/0/2/2 #1",
            "s3 EUR \(w1) 800/0/1/1 #0",
            "s1 EUR \(w2) 200/0/2/2 #0",
        ])
        #expect(out.rows("rollup.jsonl") == [
            "* EUR \(w1) 300/0/2/2 #0 stores=2",
            "* EUR \(w1) 700/0/3/3 #1 stores=2",
            "* EUR \(w1) 1500/0/4/4 #2 stores=3",
            "* EUR \(w2) 200/0/2/2 #0 stores=1",
        ])
        #expect(out.late.map { $0["late_by_ms"] as? Int } == [5_000])
    }

    @Test func theEndOfInputFlushesEveryOpenWindow() throws {
        let f = try ReplayFixture(); defer { f.remove() }
        let input = try f.write("tx.jsonl", [tx("a", at: T0 + 1_000), tx("b", at: T0 + 3_600_000)])
        let out = try f.run(.turnover, inputs: [input])
        #expect(out.rows().count == 2)
        #expect(out.rows().last == "store-1 EUR \(T0 + 3_610_000) 100/0/1/1 #0")
    }

    @Test func refundsCountInTxCountButNotInItemsSold() throws {
        let f = try ReplayFixture(); defer { f.remove() }
        let input = try f.write("tx.jsonl", [
            tx("a", at: T0 + 1_000, items: [("SKU-1", 3, "2.00")]),
            tx("r", at: T0 + 2_000, kind: "refund", items: [("SKU-1", 1, "2.00")]),
        ])
        let out = try f.run(.turnover, inputs: [input])
        #expect(out.rows() == ["store-1 EUR \(T0 + 10_000) 600/200/2/3 #0"])
        #expect(out.turnover.first?["turnover_minor"] as? Int == 400)
    }

    @Test func aStoreWithSeveralCurrenciesGetsOneRowPerCurrency() throws {
        let f = try ReplayFixture(); defer { f.remove() }
        let input = try f.write("tx.jsonl", [
            tx("a", at: T0 + 1_000, currency: "EUR"),
            "{\"tx_id\":\"b\",\"store_id\":\"store-1\",\"terminal_id\":\"t1\",\"event_time\":\(T0 + 2_000),\"currency\":\"JPY\",\"items\":[{\"sku\":\"S\",\"qty\":2,\"unit_price\":150}],\"total\":300}",
            tx("c", store: "store-2", at: T0 + 3_000, currency: "EUR"),
        ])
        let out = try f.run(.turnover, inputs: [input])
        #expect(out.rows() == [
            "store-1 EUR \(T0 + 10_000) 100/0/1/1 #0",
            "store-1 JPY \(T0 + 10_000) 300/0/1/2 #0",
            "store-2 EUR \(T0 + 10_000) 100/0/1/1 #0",
        ])
        #expect(out.rows("rollup.jsonl") == [
            "* EUR \(T0 + 10_000) 200/0/2/2 #0 stores=2",
            "* JPY \(T0 + 10_000) 300/0/1/2 #0 stores=1",
        ])
    }

    @Test func csvRowsCountWithTheirItemCount() throws {
        let f = try ReplayFixture(); defer { f.remove() }
        let input = try f.write("tx.csv", [
            "currency,tx_id,store_id,terminal_id,event_time_ms,kind,total_minor,item_count",
            "EUR,a,store-1,t1,\(T0 + 1_000),sale,1250,4",
            "EUR,b,store-1,t1,\(T0 + 2_000),,750,2",
            "EUR,c,store-1,t1,\(T0 + 3_000),refund,300,1",
            "EUR,d,store-1,t1,\(T0 + 3_000),sale,300",
        ])
        let out = try f.run(.turnover, inputs: [input])
        #expect(out.rows() == ["store-1 EUR \(T0 + 10_000) 2000/300/3/6 #0"])
        #expect(out.valid.first?["item_count"] as? Int == 4)
        #expect((out.valid.first?["items"] as? [Any])?.isEmpty == true)
        #expect(out.invalid.map { $0["reason"] as? String } == ["malformed_json"])
        #expect(out.invalid.first?["source"] as? String == "tx.csv:5")
    }

    @Test func filesAreReadInTheOrderGiven() throws {
        let f = try ReplayFixture(); defer { f.remove() }
        let first = try f.write("1.jsonl", [tx("a", at: T0 + 30_000)])
        let second = try f.write("2.jsonl", [tx("b", at: T0 + 1_000)])
        let out = try f.run(.turnover, inputs: [first, second])
        #expect(out.late.map { $0["tx_id"] as? String } == ["b"])
        #expect(out.late.first?["late_by_ms"] as? Int == 18_000)
    }
}
