import Foundation
import Testing
import Dataflow
@testable import Generators
@testable import Jobs

private func eventTime(_ object: [String: Any]) -> Int64? {
    if let ms = object["event_time"] as? Int64 { return ms }
    if let text = object["event_time"] as? String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text).map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) }
    }
    return nil
}

@Suite(.timeLimit(.minutes(5))) struct POSGeneratorTests {
    private let injected = POSGeneratorConfig(stores: 30, count: 6000, seed: 9, lateFraction: 0.02,
                                              duplicateFraction: 0.03, invalidFraction: 0.05)

    @Test func theSameConfigurationWritesTheSameBytes() throws {
        let dir = Scratch()
        for (config, name) in [(injected, "a.jsonl"), (POSGeneratorConfig(count: 3000, format: .csv, invalidFraction: 0.1), "a.csv"),
                               (injected, "a.jsonl.zst")] {
            let first = try POSGenerator.write(config, to: dir.file("1-" + name))
            let second = try POSGenerator.write(config, to: dir.file("2-" + name))
            #expect(first == second)
            #expect(contents(dir.file("1-" + name)) == contents(dir.file("2-" + name)))
        }
    }

    @Test func anotherSeedWritesOtherTraffic() throws {
        let dir = Scratch()
        var other = injected
        other.seed = 10
        _ = try POSGenerator.write(injected, to: dir.file("a.jsonl"))
        _ = try POSGenerator.write(other, to: dir.file("b.jsonl"))
        let a = try lines(dir.file("a.jsonl"))
        let b = try lines(dir.file("b.jsonl"))
        #expect(a.count == b.count)
        #expect(zip(a, b).filter { $0 == $1 }.count < 10)
    }

    @Test(arguments: [0, 1, 57, 5000])
    func writesExactlyCountLines(count: Int) throws {
        let dir = Scratch()
        var config = injected
        config.count = count
        let summary = try POSGenerator.write(config, to: dir.file("a.jsonl"))
        let bytes = contents(dir.file("a.jsonl"))
        #expect(bytes.filter { $0 == 0x0A }.count == count)
        #expect(summary.lines == count)
        #expect(summary.inOrder + summary.late + summary.duplicates + summary.invalid == count)
        #expect(summary.bytes == Int64(bytes.count))
    }

    @Test func injectsTheRequestedFractionsExactly() throws {
        let dir = Scratch()
        let summary = try POSGenerator.write(injected, to: dir.file("a.jsonl"))
        #expect(summary.late == 120)
        #expect(summary.duplicates == 180)
        #expect(summary.invalid == 300)
        #expect(Set(summary.invalidByKind.keys).isSubset(of: POSInvalidKind.weights(for: .jsonLines).map(\.kind)))
        #expect(summary.invalidByKind.count >= 10)

        // Duplicates are exact re-sends of earlier lines (transactions, which all have a
        // tx_id of their own, unlike invalid constants such as `null`).
        var seen = Set<[UInt8]>()
        var repeats = 0
        for line in try lines(dir.file("a.jsonl")) where jsonObject(line) != nil {
            if !seen.insert(line).inserted { repeats += 1 }
        }
        #expect(repeats == 180)
    }

    /// Without injections every line is a transaction whose event time is within 2 s of
    /// the latest before it; with `lateFraction` exactly that many are 5 s or more behind.
    @Test func eventTimesHaveBoundedDisorderAndLateOnesAreLate() throws {
        let dir = Scratch()
        for late in [0.0, 0.05] {
            let config = POSGeneratorConfig(stores: 20, count: 4000, seed: 3, span: 3_600_000, lateFraction: late)
            let summary = try POSGenerator.write(config, to: dir.file("a.jsonl"))
            var latest: Int64 = 0
            var behind = 0
            for line in try lines(dir.file("a.jsonl")) {
                let object = try #require(jsonObject(line))
                let time = try #require(eventTime(object))
                if time < latest - 2000 {
                    behind += 1
                    #expect(time <= latest - 5000)
                }
                latest = max(latest, time)
            }
            #expect(behind == summary.late)
            #expect(summary.late == Int(4000 * late))
        }
    }

    @Test func validRecordsFollowTheInputFormat() throws {
        let dir = Scratch()
        let summary = try POSGenerator.write(POSGeneratorConfig(stores: 60, count: 20_000, seed: 4), to: dir.file("a.jsonl"))
        var keys = Set<String>()
        var currencies = Set<String>()
        var refunds = 0, kindAbsent = 0, stringTimes = 0, mismatches = 0
        let moneyPattern = try Regex("^[0-9]+(\\.[0-9]+)?$")
        for line in try lines(dir.file("a.jsonl")) {
            let object = try #require(jsonObject(line))
            let tx = try #require(object["tx_id"] as? String)
            let store = try #require(object["store_id"] as? String)
            let terminal = try #require(object["terminal_id"] as? String)
            #expect(store.wholeMatch(of: try Regex("store-[0-9]{4}")) != nil)
            #expect(terminal.wholeMatch(of: try Regex("t0[1-8]")) != nil)
            #expect(tx.hasPrefix("s" + store.dropFirst(6) + "-" + terminal + "-"))
            #expect(keys.insert(store + "/" + tx).inserted)
            let currency = try #require(object["currency"] as? String)
            currencies.insert(currency)
            let digits = try #require(Currency.allCases.first { $0.code == currency }).minorDigits
            if object["kind"] == nil { kindAbsent += 1 } else if object["kind"] as? String == "refund" { refunds += 1 }
            if object["event_time"] is String { stringTimes += 1 }
            let items = try #require(object["items"] as? [[String: Any]])
            #expect((1 ... 12).contains(items.count))
            // Money as written: reparse from the raw line's text is not possible with
            // JSONSerialization, so check the decimal forms through their string values.
            func minor(_ value: Any?) throws -> Int64 {
                let text = try #require(value.map { "\($0)" })
                #expect(text.wholeMatch(of: moneyPattern) != nil)
                let parts = text.split(separator: ".")
                let fraction = parts.count == 2 ? String(parts[1]) : ""
                #expect(fraction.count <= digits)
                let padded = fraction + String(repeating: "0", count: digits - fraction.count)
                return Int64(parts[0] + padded)!
            }
            var sum: Int64 = 0
            for item in items {
                let qty = try #require(item["qty"] as? Int64)
                #expect((1 ... 12).contains(qty))
                #expect(try (item["sku"] as? String)?.wholeMatch(of: Regex("SKU-[0-9]{5}")) != nil)
                sum += qty * (try minor(item["unit_price"]))
            }
            if try minor(object["total"]) != sum { mismatches += 1 }
        }
        #expect(currencies == Set(Currency.allCases.map(\.code)))
        #expect(refunds == summary.refunds)
        #expect(mismatches == summary.totalMismatches)
        #expect(Double(refunds) / 20_000 > 0.02 && Double(refunds) / 20_000 < 0.04)
        #expect(Double(mismatches) / 20_000 > 0.012 && Double(mismatches) / 20_000 < 0.028)
        #expect(kindAbsent > 2000 && stringTimes > 8000 && stringTimes < 12_000)
    }

    @Test func csvHasTheHeaderThenOneRowPerLine() throws {
        let dir = Scratch()
        let config = POSGeneratorConfig(stores: 10, count: 2000, seed: 2, format: .csv, invalidFraction: 0.1)
        let summary = try POSGenerator.write(config, to: dir.file("a.csv.zst"))
        let all = try lines(dir.file("a.csv.zst"))
        #expect(all.count == 2001)
        #expect(String(decoding: all[0], as: UTF8.self) == "tx_id,store_id,terminal_id,event_time_ms,kind,currency,total_minor,item_count")
        #expect(summary.invalid == 200)
        #expect(Set(summary.invalidByKind.keys).isSubset(of: POSInvalidKind.weights(for: .csv).map(\.kind)))
        let wellFormed = all.dropFirst().filter { line in
            let cells = line.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
            return cells.count == 8 && !line.contains(UInt8(ascii: "\"")) && cells[3].allSatisfy { $0 >= 48 && $0 <= 57 }
        }
        #expect(wellFormed.count >= 1800 && wellFormed.count < 2000)
    }

    @Test func everyJSONKindOfBrokenLineIsInjected() throws {
        let dir = Scratch()
        let config = POSGeneratorConfig(stores: 10, count: 4000, seed: 5, invalidFraction: 1)
        let summary = try POSGenerator.write(config, to: dir.file("a.jsonl"))
        let expected = Set(POSInvalidKind.weights(for: .jsonLines).map(\.kind)).subtracting([.oversizedLine])
        #expect(expected.isSubset(of: Set(summary.invalidByKind.keys)))
        // Broken lines that still parse as JSON objects break a field rule instead.
        let parsed = try lines(dir.file("a.jsonl")).filter { jsonObject($0) != nil }.count
        #expect(parsed < 4000 - summary.invalidByKind[.truncatedJSON, default: 0])
    }

    @Test func rejectsConfigurationsItCannotGenerate() {
        for config in [POSGeneratorConfig(stores: 0), POSGeneratorConfig(count: -1), POSGeneratorConfig(span: 0),
                       POSGeneratorConfig(lateFraction: 1.5), POSGeneratorConfig(lateFraction: 0.6, invalidFraction: 0.6),
                       POSGeneratorConfig(start: 0)] {
            #expect(throws: POSGeneratorConfig.Invalid.self) { try config.validate() }
        }
    }
}
