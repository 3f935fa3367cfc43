import Dataflow
import Foundation
import Jobs
import Testing

/// Spec sections 0-3 through the whole validation stage: dedup, policies, dead letters.
@Suite(.timeLimit(.minutes(5))) struct ValidationJobTests {
    @Test func aDuplicateWithinTheHorizonIsADeadLetterPointingAtItsLine() throws {
        let f = try ReplayFixture(); defer { f.remove() }
        let input = try f.write("tx.jsonl", [tx("a", at: T0), tx("a", at: T0 + 500), tx("a", store: "other", at: T0)])
        let out = try f.run(.validation, inputs: [input])
        #expect(out.valid.map { $0["store_id"] as? String } == ["store-1", "other"])
        #expect(out.invalid.count == 1)
        #expect(out.invalid.first?["reason"] as? String == "duplicate")
        #expect(out.invalid.first?["field"] as? String == "tx_id")
        #expect(out.invalid.first?["source"] as? String == "tx.jsonl:2")
        #expect(out.invalid.first?["raw"] as? String == tx("a", at: T0 + 500))
    }

    @Test func aKeyIsForgottenOnceTheWatermarkPassesItsEventTimePlusTheHorizon() throws {
        let f = try ReplayFixture(); defer { f.remove() }
        var options = JobOptions()
        options.dedupHorizonMs = 60_000
        let input = try f.write("tx.jsonl", [
            tx("a", at: T0),
            tx("x", at: T0 + 61_999),  // watermark T0+59_999: "a" still remembered
            tx("a", at: T0 + 100),  // duplicate
            tx("y", at: T0 + 62_000),  // watermark T0+60_000 = T0 + horizon: "a" forgotten
            tx("a", at: T0 + 200),  // accepted again
        ])
        let out = try f.run(.validation, inputs: [input], options: options)
        #expect(out.valid.map { $0["tx_id"] as? String } == ["a", "x", "y", "a"])
        #expect(out.invalid.map { $0["source"] as? String } == ["tx.jsonl:3"])
    }

    @Test func aRejectedRecordIsNotRememberedSoACorrectedResendIsAccepted() throws {
        let f = try ReplayFixture(); defer { f.remove() }
        let input = try f.write("tx.jsonl", [
            tx("a", at: T0, currency: "XYZ"),
            tx("a", at: T0),
        ])
        let out = try f.run(.validation, inputs: [input])
        #expect(out.invalid.map { $0["reason"] as? String } == ["unknown_currency"])
        #expect(out.valid.count == 1)
    }

    @Test func aDuplicateDoesNotMoveTheWatermark() throws {
        let f = try ReplayFixture(); defer { f.remove() }
        let input = try f.write("tx.jsonl", [
            tx("a", at: T0 + 1_000),
            tx("a", at: T0 + 50_000),  // duplicate: must not raise the watermark
            tx("b", at: T0 + 2_000),  // so this is not late
        ])
        let out = try f.run(.turnover, inputs: [input])
        #expect(out.late.isEmpty)
        #expect(out.rows() == ["store-1 EUR \(T0 + 10_000) 200/0/2/2 #0"])
    }

    @Test func totalMismatchIsCorrectedByDefault() throws {
        let f = try ReplayFixture(); defer { f.remove() }
        let input = try f.write("tx.jsonl", [tx("a", at: T0, items: [("S", 2, "1.99")], total: "5.00")])
        let out = try f.run(.validation, inputs: [input])
        #expect(out.valid.first?["total_minor"] as? Int == 398)
        #expect(out.valid.first?["corrected"] as? Bool == true)
        #expect(out.valid.first?["original_total_minor"] as? Int == 500)
        #expect(out.invalid.isEmpty)
    }

    @Test func totalMismatchIsADeadLetterUnderReject() throws {
        let f = try ReplayFixture(); defer { f.remove() }
        var options = JobOptions()
        options.totalMismatch = .reject
        let input = try f.write("tx.jsonl", [tx("a", at: T0, items: [("S", 2, "1.99")], total: "5.00"), tx("b", at: T0)])
        let out = try f.run(.validation, inputs: [input], options: options)
        #expect(out.invalid.map { $0["reason"] as? String } == ["total_mismatch"])
        #expect(out.invalid.first?["field"] as? String == "total")
        #expect(out.valid.map { $0["tx_id"] as? String } == ["b"])
        #expect(out.valid.first?["corrected"] as? Bool == false)
    }

    @Test func everyKindOfBadLineBecomesADeadLetterWithItsReason() throws {
        let f = try ReplayFixture(); defer { f.remove() }
        var bytes: [UInt8] = []
        func line(_ s: String) { bytes += Array(s.utf8) + [0x0A] }
        line("{\"tx_id\":\"a\"")  // 1 truncated
        line("[1,2]")  // 2
        line("")  // 3 empty
        line("{\"store_id\":\"s\"}")  // 4 missing tx_id
        line(tx("q", at: T0, items: [("S", 0, "1.00")], total: "0.00"))  // 5 qty 0
        line(tx("c", at: T0, currency: "XYZ"))  // 6
        bytes += [0x7B, 0x22, 0xFF, 0x22, 0x7D, 0x0A]  // 7 invalid UTF-8
        bytes += [UInt8(ascii: "\"")] + Array(repeating: UInt8(ascii: "x"), count: 2 * 1_048_576) + [UInt8(ascii: "\""), 0x0A]  // 8
        line(String(repeating: "[", count: 100) + String(repeating: "]", count: 100))  // 9 deep
        let manyItems = (0 ..< 1001).map { _ in ("S", 1, "1.00") }
        line(tx("m", at: T0, items: manyItems))  // 10
        line(tx("ok", at: T0))  // 11
        let input = try f.writeBytes("bad.jsonl", bytes)
        let out = try f.run(.validation, inputs: [input])
        #expect(out.invalid.map { $0["reason"] as? String } == [
            "malformed_json", "not_an_object", "malformed_json", "missing_field", "bad_field", "unknown_currency",
            "bad_encoding", "too_large", "malformed_json", "bad_field",
        ])
        #expect(out.invalid.map { $0["source"] as? String } == (1 ... 10).map { "bad.jsonl:\($0)" })
        #expect(out.invalid[3]["field"] as? String == "tx_id")
        #expect(out.invalid[4]["field"] as? String == "items[0].qty")
        #expect(out.invalid[9]["field"] as? String == "items")
        #expect(out.invalid[0]["field"] == nil)
        #expect((out.invalid[7]["raw"] as? String)?.utf8.count == 4096)
        #expect(out.invalid[6]["raw"] as? String == "{\"\u{FFFD}\"}")
        #expect(out.valid.map { $0["tx_id"] as? String } == ["ok"])
    }

    @Test func aByteOrderMarkAtTheStartOfAFileIsSkipped() throws {
        let f = try ReplayFixture(); defer { f.remove() }
        let input = try f.writeBytes("bom.jsonl", [0xEF, 0xBB, 0xBF] + Array((tx("a", at: T0) + "\n").utf8))
        let out = try f.run(.validation, inputs: [input])
        #expect(out.valid.count == 1)
        #expect(out.invalid.isEmpty)
    }

    @Test func theValidatedRecordIsCanonical() throws {
        let f = try ReplayFixture(); defer { f.remove() }
        let line = """
        {"tx_id":"s0042-t03-000918","store_id":"store-0042","terminal_id":"t03","event_time":"2026-11-21T10:15:02.120Z","kind":"sale","currency":"EUR","items":[{"sku":"SKU-00017","qty":2,"unit_price":"1.99"},{"sku":"SKU-00321","qty":1,"unit_price":12.5}],"total":"16.48","payment":"card"}
        """
        let input = try f.write("tx.jsonl", [line])
        let out = try f.run(.validation, inputs: [input])
        #expect(out.lines("valid.jsonl") == [
            "{\"tx_id\":\"s0042-t03-000918\",\"store_id\":\"store-0042\",\"terminal_id\":\"t03\",\"event_time\":1795256102120,\"kind\":\"sale\",\"currency\":\"EUR\",\"items\":[{\"sku\":\"SKU-00017\",\"qty\":2,\"unit_price_minor\":199},{\"sku\":\"SKU-00321\",\"qty\":1,\"unit_price_minor\":1250}],\"total_minor\":1648,\"corrected\":false}",
        ])
    }

    @Test func aMissingInputFileFailsBeforeAnyOutputIsWritten() throws {
        let f = try ReplayFixture(); defer { f.remove() }
        let good = try f.write("tx.jsonl", [tx("a", at: T0)])
        #expect(throws: (any Error).self) {
            try f.run(.validation, inputs: [good, f.directory + "/missing.jsonl"])
        }
        #expect(!FileManager.default.fileExists(atPath: f.directory + "/out/valid.jsonl"))
    }

    @Test func aCSVFileWithoutTheRequiredColumnsFailsWithAnError() throws {
        let f = try ReplayFixture(); defer { f.remove() }
        let input = try f.write("tx.csv", ["tx_id,store_id", "a,b"])
        #expect(throws: (any Error).self) { try f.run(.validation, inputs: [input]) }
    }

    /// An empty CSV file has no header, so it lacks the columns too: the run fails
    /// naming it, also when it is not the first input and when only a byte-order mark
    /// is in it.
    @Test func anEmptyCSVFileFailsWithAnErrorNamingIt() throws {
        let f = try ReplayFixture(); defer { f.remove() }
        let rows = try f.write("rows.csv", ["tx_id,store_id,terminal_id,event_time_ms,kind,currency,total_minor,item_count"])
        for (name, bytes) in [("empty.csv", [UInt8]()), ("bom.csv", [0xEF, 0xBB, 0xBF])] {
            let empty = try f.writeBytes(name, bytes)
            let error = #expect(throws: InputError.self) { try f.run(.validation, inputs: [rows, empty], rocksDB: false) }
            #expect(error?.description == "\(empty): the file is empty, but a CSV file starts with its header line")
        }
    }
}
