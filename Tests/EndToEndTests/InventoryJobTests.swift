import Foundation
import Jobs
import Testing

/// Spec sections 5 and 6, by example: given these events in this order, these decisions.
@Suite(.timeLimit(.minutes(5))) struct InventoryJobTests {
    let s = "store-1"

    func run(_ lines: [String], options: JobOptions = JobOptions(), kind: JobKind = .inventory) throws -> (ReplayFixture, Outputs) {
        let f = try ReplayFixture()
        let input = try f.write("inv.jsonl", lines)
        return (f, try f.run(kind, inputs: [input], options: options))
    }

    @Test func aReservationThatFitsIsAcceptedAndOneThatDoesNotIsRejectedWithTheMisfits() throws {
        let (f, out) = try run([
            Inv.stockSet("e1", s, "A", 10, at: T0),
            Inv.stockSet("e2", s, "B", 1, at: T0),
            Inv.reserve("r1", s, [("A", 3), ("B", 1)], at: T0 + 1),
            Inv.reserve("r2", s, [("A", 5), ("B", 1), ("C", 1)], at: T0 + 2),
        ]); defer { f.remove() }
        #expect(out.decisionSummaries == [
            "r1 accepted \(T0 + 1) A:3:7 B:1:0",
            "r2 rejected/insufficient_stock \(T0 + 2) B:1:0 C:1:0",
            "r1 expired \(T0 + 1 + 900_000)",  // still open at the end of input
        ])
        #expect(out.decisions[0]["order_id"] as? String == "o-r1")
        #expect(out.decisions[1]["order_id"] as? String == "o-r2")
    }

    /// State TTL: a finished reservation is remembered for the dedup horizon after it
    /// finished (event time), then forgotten, so state stays bounded on an endless stream.
    @Test func aFinishedReservationIsRememberedForTheDedupHorizonThenForgotten() throws {
        var options = JobOptions()
        options.dedupHorizonMs = 60_000
        options.outOfOrdernessMs = 0
        let (f, out) = try run([
            Inv.stockSet("e1", s, "A", 10, at: T0),
            Inv.reserve("r1", s, [("A", 2)], at: T0 + 1),
            Inv.commit("r1", s, at: T0 + 1_000),
            Inv.commit("r1", s, at: T0 + 60_999),  // within the horizon: already committed
            Inv.adjust("e2", s, "A", 0, at: T0 + 61_000),  // the watermark reaches commit + horizon
            Inv.commit("r1", s, at: T0 + 61_001),  // forgotten: unknown
            Inv.reserve("r1", s, [("A", 1)], at: T0 + 61_002),  // a new reservation of that id
        ], options: options); defer { f.remove() }
        #expect(out.decisionSummaries == [
            "r1 accepted \(T0 + 1) A:2:8",
            "r1 committed \(T0 + 1_000)",
            "r1 rejected/already_committed \(T0 + 60_999)",
            "r1 rejected/unknown_reservation \(T0 + 61_001)",
            "r1 accepted \(T0 + 61_002) A:1:7",
            "r1 expired \(T0 + 61_002 + 900_000)",
        ])
    }

    @Test func repeatedSKUsInOneReservationCountTogether() throws {
        let (f, out) = try run([
            Inv.stockSet("e1", s, "A", 5, at: T0),
            Inv.reserve("r1", s, [("A", 3), ("A", 3)], at: T0 + 1),  // 6 > 5
            Inv.reserve("r2", s, [("A", 2), ("A", 3)], at: T0 + 2),  // 5 fits
        ]); defer { f.remove() }
        #expect(out.decisionSummaries == [
            "r1 rejected/insufficient_stock \(T0 + 1) A:6:5",
            "r2 accepted \(T0 + 2) A:5:0",
            "r2 expired \(T0 + 2 + 900_000)",
        ])
    }

    @Test func aRepeatedReservationIDRepeatsItsFirstDecisionAndChangesNothing() throws {
        let (f, out) = try run([
            Inv.stockSet("e1", s, "A", 5, at: T0),
            Inv.reserve("r1", s, [("A", 2)], at: T0 + 1),
            Inv.reserve("r1", s, [("A", 1)], at: T0 + 2),  // same id: the first decision again
            Inv.commit("r1", s, at: T0 + 3),
            Inv.reserve("r1", s, [("A", 9)], at: T0 + 4),  // still the first decision
            Inv.reserve("r9", s, [("A", 4)], at: T0 + 5),  // available is 3: rejected
            Inv.reserve("r9", s, [("A", 1)], at: T0 + 6),
            Inv.reserve("r1", "store-2", [("A", 1)], at: T0 + 7),  // ids are scoped to their location
        ]); defer { f.remove() }
        let lines = out.lines("decisions.jsonl")
        #expect(lines.count == 7)
        #expect(lines[1] == lines[0])
        #expect(lines[3] == lines[0])
        #expect(lines[5] == lines[4])
        #expect(out.decisionSummaries[2] == "r1 committed \(T0 + 3)")
        #expect(out.decisionSummaries[4] == "r9 rejected/insufficient_stock \(T0 + 5) A:4:3")
        #expect(out.decisionSummaries[6] == "r1 rejected/insufficient_stock \(T0 + 7) A:1:0")
    }

    @Test func commitAndReleaseMoveStockAndAreRejectedOnceFinished() throws {
        let (f, out) = try run([
            Inv.stockSet("e1", s, "A", 10, at: T0),
            Inv.reserve("r1", s, [("A", 4)], at: T0 + 1),
            Inv.reserve("r2", s, [("A", 4)], at: T0 + 2),
            Inv.commit("r1", s, at: T0 + 3),  // on-hand 6, reserved 4
            Inv.release("r2", s, at: T0 + 4),  // reserved 0
            Inv.commit("r1", s, at: T0 + 5),
            Inv.release("r1", s, at: T0 + 6),
            Inv.commit("r2", s, at: T0 + 7),
            Inv.commit("nope", s, at: T0 + 8),
            Inv.reserve("r3", s, [("A", 6)], at: T0 + 9),  // exactly what is there
            Inv.reserve("r4", s, [("A", 1)], at: T0 + 10),
            Inv.release("r4", s, at: T0 + 11),  // a rejected reservation is unknown
        ]); defer { f.remove() }
        #expect(out.decisionSummaries == [
            "r1 accepted \(T0 + 1) A:4:6",
            "r2 accepted \(T0 + 2) A:4:2",
            "r1 committed \(T0 + 3)",
            "r2 released \(T0 + 4)",
            "r1 rejected/already_committed \(T0 + 5)",
            "r1 rejected/already_committed \(T0 + 6)",
            "r2 rejected/already_released \(T0 + 7)",
            "nope rejected/unknown_reservation \(T0 + 8)",
            "r3 accepted \(T0 + 9) A:6:0",
            "r4 rejected/insufficient_stock \(T0 + 10) A:1:0",
            "r4 rejected/unknown_reservation \(T0 + 11)",
            "r3 expired \(T0 + 9 + 900_000)",
        ])
        #expect(out.decisions[2]["order_id"] == nil)
    }

    @Test func aReservationExpiresWhenTheWatermarkReachesItsTTLAndLateCommitsAreRejected() throws {
        let (f, out) = try run([
            Inv.stockSet("e1", s, "A", 10, at: T0),
            Inv.reserve("r1", s, [("A", 4)], ttl: 60_000, at: T0 + 1_000),  // expires at T0+61_000
            Inv.reserve("r2", s, [("A", 1)], ttl: 60_000, at: T0 + 1_000),
            Inv.adjust("e2", s, "B", 1, at: T0 + 62_999),  // watermark T0+60_999: not yet
            Inv.commit("r2", s, at: T0 + 63_000),  // judged at T0+60_999: wins; then T0+61_000 expires r1
            Inv.adjust("e3", s, "B", 1, at: T0 + 63_001),
            Inv.commit("r1", s, at: T0 + 63_002),
            Inv.release("r1", s, at: T0 + 63_003),
        ]); defer { f.remove() }
        #expect(out.decisionSummaries == [
            "r1 accepted \(T0 + 1_000) A:4:6",
            "r2 accepted \(T0 + 1_000) A:1:5",
            "r2 committed \(T0 + 63_000)",
            "r1 expired \(T0 + 61_000)",
            "r1 rejected/already_expired \(T0 + 63_002)",
            "r1 rejected/already_expired \(T0 + 63_003)",
        ])
    }

    @Test func reservationsDueAtTheSameTimeExpireInTheOrderTheyWereMade() throws {
        let (f, out) = try run([
            Inv.stockSet("e1", s, "A", 10, at: T0),
            Inv.reserve("late", s, [("A", 1)], ttl: 5_000, at: T0 + 5_000),  // due T0+10_000
            Inv.reserve("b", s, [("A", 1)], ttl: 9_000, at: T0 + 1_000),  // due T0+10_000
            Inv.reserve("a", s, [("A", 1)], ttl: 2_000, at: T0 + 1_000),  // due T0+3_000
        ]); defer { f.remove() }
        #expect(Array(out.decisionSummaries.suffix(3)) == [
            "a expired \(T0 + 3_000)", "late expired \(T0 + 10_000)", "b expired \(T0 + 10_000)",
        ])
    }

    @Test func theEndOfInputExpiresEveryOpenReservationWithTheDefaultTTL() throws {
        let (f, out) = try run([
            Inv.stockSet("e1", s, "A", 10, at: T0),
            Inv.reserve("r1", s, [("A", 2)], at: T0 + 1_000),
        ]); defer { f.remove() }
        #expect(out.decisionSummaries.last == "r1 expired \(T0 + 1_000 + 900_000)")
        #expect(out.availabilitySummaries.last == "A 10 1 \(T0 + 901_000)")
    }

    @Test func salesAndRefundsMoveOnHandAndStockMayGoNegative() throws {
        let (f, out) = try run([
            Inv.stockSet("e1", s, "A", 6, at: T0),
            tx("t1", store: s, at: T0 + 1, items: [("A", 1, "1.00"), ("A", 1, "1.00")]),  // one change of -2: 4
            tx("t2", store: s, at: T0 + 2, items: [("A", 5, "1.00")]),  // -1
            tx("t3", store: s, at: T0 + 3, kind: "refund", items: [("A", 3, "1.00")]),  // 2
            Inv.reserve("r1", s, [("A", 3)], at: T0 + 4),
            tx("t4", store: s, at: T0 + 5, items: [("A", 4, "1.00")]),  // -2: new reservations rejected
            Inv.reserve("r2", s, [("A", 1)], at: T0 + 6),
        ]); defer { f.remove() }
        #expect(out.valid.count == 4)
        #expect(out.decisionSummaries == [
            "r1 rejected/insufficient_stock \(T0 + 4) A:3:2",
            "r2 rejected/insufficient_stock \(T0 + 6) A:1:-2",
        ])
        #expect(out.availabilitySummaries == [
            "A 6 1 \(T0)", "A 4 1 \(T0 + 1)", "A -1 1 \(T0 + 2)", "A 2 1 \(T0 + 3)", "A -2 1 \(T0 + 5)",
        ])
    }

    @Test func alertsFireOnDownwardCrossingsOnlyLowStockFirst() throws {
        var options = JobOptions()
        options.lowStockThreshold = 5
        let (f, out) = try run([
            Inv.stockSet("e1", s, "A", 7, at: T0),
            Inv.adjust("e2", s, "A", -2, at: T0 + 1),  // 5: not below 5
            Inv.adjust("e3", s, "A", -1, at: T0 + 2),  // 4: low_stock
            Inv.adjust("e4", s, "A", -1, at: T0 + 3),  // 3: already below, nothing
            Inv.adjust("e5", s, "A", 10, at: T0 + 4),  // 13: upward, nothing
            Inv.adjust("e6", s, "A", -15, at: T0 + 5),  // -2: low_stock then oversold
            Inv.adjust("e7", s, "A", -1, at: T0 + 6),  // -3: nothing
            Inv.stockSet("e8", s, "A", 0, at: T0 + 7),  // 0: upward
            Inv.adjust("e9", s, "A", -1, at: T0 + 8),  // -1: oversold only (0 was already below 5)
            Inv.stockSet("e10", s, "B", 9, at: T0 + 9),
            Inv.reserve("r1", s, [("B", 5)], at: T0 + 10),  // available 4: low_stock through a reservation
        ], options: options); defer { f.remove() }
        #expect(out.alertSummaries == [
            "low_stock store-1 A 4 \(T0 + 2)",
            "low_stock store-1 A -2 \(T0 + 5)",
            "oversold store-1 A -2 \(T0 + 5)",
            "oversold store-1 A -1 \(T0 + 8)",
            "low_stock store-1 B 4 \(T0 + 10)",
        ])
        #expect(out.alerts.first?["threshold"] as? Int == 5)
        #expect(out.alerts[2]["threshold"] == nil)
    }

    @Test func theAvailabilityRollupSumsEveryLocationAndCountsThem() throws {
        let (f, out) = try run([
            Inv.stockSet("e1", "store-1", "A", 10, at: T0),
            Inv.stockSet("e2", "wh-1", "A", 100, at: T0 + 1),
            Inv.stockSet("e3", "store-2", "A", 0, at: T0 + 2),  // a new location, the sum unchanged: no row
            Inv.reserve("r1", "store-1", [("A", 4)], at: T0 + 3),
            Inv.commit("r1", "store-1", at: T0 + 4),  // on-hand and reserved both drop: no change
            Inv.adjust("e4", "store-2", "A", 5, at: T0 + 5),
        ]); defer { f.remove() }
        #expect(out.availabilitySummaries == [
            "A 10 1 \(T0)", "A 110 2 \(T0 + 1)", "A 106 3 \(T0 + 3)", "A 111 3 \(T0 + 5)",
        ])
    }

    @Test func malformedInventoryEventsAreDeadLettersAndTheRunContinues() throws {
        let (f, out) = try run([
            "{\"type\":\"teleport\",\"location\":\"x\"}",
            "{\"type\":\"reserve\",\"reservation_id\":\"r\",\"order_id\":\"o\",\"location\":\"x\",\"lines\":[],\"event_time\":\(T0)}",
            "{\"type\":\"stock_set\",\"event_id\":\"e\",\"location\":\"x\",\"sku\":\"A\",\"qty\":-1,\"event_time\":\(T0)}",
            "{\"type\":\"commit\"",
            Inv.stockSet("e1", s, "A", 1, at: T0),
        ]); defer { f.remove() }
        #expect(out.invalid.map { "\($0["reason"]!) \($0["field"] ?? "-")" } == [
            "bad_field type", "bad_field lines", "bad_field qty", "malformed_json -",
        ])
        #expect(out.invalid.map { $0["source"] as? String } == (1 ... 4).map { "inv.jsonl:\($0)" })
        #expect(out.availabilitySummaries == ["A 1 1 \(T0)"])
    }

    @Test func theInventoryWatermarkCountsValidEventsAndTransactionsButNotDuplicates() throws {
        let (f, out) = try run([
            Inv.stockSet("e1", s, "A", 5, at: T0),
            Inv.reserve("r1", s, [("A", 1)], ttl: 10_000, at: T0),  // expires at T0+10_000
            tx("t1", store: s, at: T0 + 11_000, items: [("Z", 1, "1.00")]),  // watermark T0+9_000
            tx("t1", store: s, at: T0 + 99_000, items: [("Z", 1, "1.00")]),  // a duplicate: does not count
            Inv.commit("r1", s, at: T0 + 11_500),  // still before expiry: wins
        ]); defer { f.remove() }
        #expect(out.decisionSummaries.last == "r1 committed \(T0 + 11_500)")
        #expect(out.invalid.map { $0["reason"] as? String } == ["duplicate"])
    }
}
