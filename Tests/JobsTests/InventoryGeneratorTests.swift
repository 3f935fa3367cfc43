import Foundation
import Testing
import Dataflow
@testable import Generators
@testable import Jobs

/// The whole lines of a plain file (`LineReader` keeps only the start of a line over 1 MiB).
private func wholeLines(_ path: String) -> [[UInt8]] {
    var all = contents(path).split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
    if all.last?.isEmpty == true { all.removeLast() }
    return all
}

/// An integer literal (not `2.0`, not `true`). Foundation on Linux reads `true` as an
/// NSNumber of type `c`, and 0 and 1 as NSNumbers that also cast to `Bool`.
private func integer(_ value: Any?) -> Int64? {
    guard let number = value as? NSNumber else { return nil }
    let type = String(cString: number.objCType)
    guard type != "d" && type != "f" && type != "c" else { return nil }
    return number.int64Value
}

private func eventTime(_ value: Any?) -> Int64? {
    if let ms = integer(value) { return ms }
    guard let text = value as? String else { return nil }
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return formatter.date(from: text).map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) }
}

/// The inventory event types of spec section 5.
private let eventTypes: Set<String> = ["stock_set", "stock_adjust", "reserve", "commit", "release"]

/// Spec section 5's rules for an inventory event, checked the way the job checks them
/// (`type` first, then the fields in the examples' order): the reason of the first
/// failure, or `nil` for a valid event.
private func inventoryVerdict(_ object: [String: Any]) -> RejectReason? {
    func string(_ key: String) -> RejectReason? {
        guard let value = object[key] else { return .missingField }
        guard let text = value as? String, (1 ... 64).contains(text.unicodeScalars.count) else { return .badField }
        return nil
    }
    func int(_ key: String, atLeast low: Int64?) -> RejectReason? {
        guard let value = object[key] else { return .missingField }
        guard let n = integer(value), low.map({ n >= $0 }) ?? true else { return .badField }
        return nil
    }
    func time() -> RejectReason? {
        guard let value = object["event_time"] else { return .missingField }
        guard let ms = eventTime(value), ms >= 946_684_800_000, ms < 4_102_444_800_000 else { return .badField }
        return nil
    }
    guard let typeValue = object["type"] else { return .missingField }
    guard let type = typeValue as? String, eventTypes.contains(type) else { return .badField }
    var checks: [() -> RejectReason?] = []
    switch type {
    case "stock_set", "stock_adjust":
        checks = [{ string("event_id") }, { string("location") }, { string("sku") },
                  { type == "stock_set" ? int("qty", atLeast: 0) : int("delta", atLeast: nil) }, time]
    case "reserve":
        checks = [{ string("reservation_id") }, { string("order_id") }, { string("location") }, {
            guard let value = object["lines"] else { return .missingField }
            guard let lines = value as? [Any], !lines.isEmpty else { return .badField }
            for line in lines {
                guard let line = line as? [String: Any] else { return .badField }
                guard let sku = line["sku"] else { return .missingField }
                guard let text = sku as? String, (1 ... 64).contains(text.unicodeScalars.count) else { return .badField }
                guard let qty = line["qty"] else { return .missingField }
                guard let n = integer(qty), n >= 1 else { return .badField }
            }
            return nil
        }, {
            guard let ttl = object["ttl_ms"] else { return nil }
            guard let n = integer(ttl), n >= 1 else { return .badField }
            return nil
        }, time]
    default:
        checks = [{ string("reservation_id") }, { string("location") }, time]
    }
    for check in checks { if let reason = check() { return reason } }
    return nil
}

/// Why the inventory job rejects the line, or `nil` when it takes it: a transaction is
/// judged by the validation decoder, an inventory event by `inventoryVerdict`.
private func verdict(_ line: [UInt8]) -> RejectReason? {
    if let object = jsonObject(line), object["tx_id"] == nil { return inventoryVerdict(object) }
    let origin = LineOrigin(fileIndex: 0, lineNumber: 1, raw: ArraySlice(line))
    switch TransactionDecoder(totalMismatch: .correct).decodeJSON(origin: origin, fullLength: line.count) {
    case .success: return nil
    case .failure(let rejection): return rejection.reason
    }
}

@Suite(.timeLimit(.minutes(5))) struct InventoryGeneratorTests {
    private let small = InventoryGeneratorConfig(locations: 12, skus: 200, count: 8000, seed: 9, invalidFraction: 0.04)

    @Test func theSameConfigurationWritesTheSameBytes() throws {
        let dir = Scratch()
        for name in ["a.jsonl", "a.jsonl.zst"] {
            let first = try InventoryGenerator.write(small, to: dir.file("1-" + name))
            let second = try InventoryGenerator.write(small, to: dir.file("2-" + name))
            #expect(first == second)
            #expect(contents(dir.file("1-" + name)) == contents(dir.file("2-" + name)))
        }
    }

    @Test func aZstdFileHoldsTheSameLines() throws {
        let dir = Scratch()
        let plain = try InventoryGenerator.write(small, to: dir.file("a.jsonl"))
        let compressed = try InventoryGenerator.write(small, to: dir.file("a.jsonl.zst"))
        #expect(plain == compressed)
        #expect(contents(dir.file("a.jsonl.zst")).prefix(4) == [0x28, 0xB5, 0x2F, 0xFD])  // zstd magic
        #expect(contents(dir.file("a.jsonl.zst")).count < contents(dir.file("a.jsonl")).count / 3)
        #expect(try lines(dir.file("a.jsonl.zst")) == lines(dir.file("a.jsonl")))
    }

    @Test func anotherSeedWritesOtherTraffic() throws {
        let dir = Scratch()
        var other = small
        other.seed = 10
        _ = try InventoryGenerator.write(small, to: dir.file("a.jsonl"))
        _ = try InventoryGenerator.write(other, to: dir.file("b.jsonl"))
        let a = try lines(dir.file("a.jsonl"))
        let b = try lines(dir.file("b.jsonl"))
        #expect(a.count == b.count)
        #expect(zip(a, b).filter { $0 == $1 }.count < a.count / 10)
    }

    @Test(arguments: [0, 1, 7, 57, 5000])
    func writesExactlyCountLines(count: Int) throws {
        let dir = Scratch()
        var config = small
        config.count = count
        let s = try InventoryGenerator.write(config, to: dir.file("a.jsonl"))
        let bytes = contents(dir.file("a.jsonl"))
        #expect(bytes.filter { $0 == 0x0A }.count == count)
        #expect(s.lines == count)
        #expect(s.stockSets + s.adjustments + s.sales + s.refunds + s.reserves + s.commits + s.releases + s.invalid == count)
        #expect(s.bytes == Int64(bytes.count))
    }

    /// Every line is a transaction or an inventory event of the five types, valid except
    /// the injected ones, each rejected for the reason its kind names.
    @Test func everyLineIsValidExceptTheInjectedOnes() throws {
        let dir = Scratch()
        let config = InventoryGeneratorConfig(locations: 15, skus: 300, count: 20_000, seed: 4, invalidFraction: 0.05)
        let summary = try InventoryGenerator.write(config, to: dir.file("a.jsonl"))
        #expect(summary.invalid == 1000)
        var expected: [RejectReason: Int] = [:]
        for (kind, n) in summary.invalidEvents { expected[kind.expectedReason, default: 0] += n }
        for (kind, n) in summary.invalidTransactions { expected[kind.expectedReason, default: 0] += n }
        var found: [RejectReason: Int] = [:]
        var transactions = 0, events = 0, unparsed = 0
        for line in wholeLines(dir.file("a.jsonl")) {
            if let reason = verdict(line) {
                found[reason, default: 0] += 1
                if jsonObject(line) == nil { unparsed += 1 }
                continue
            }
            let object = try #require(jsonObject(line))
            if object["tx_id"] != nil {
                transactions += 1
            } else {
                #expect(eventTypes.contains(object["type"] as? String ?? ""))
                events += 1
            }
        }
        #expect(found == expected)
        #expect(transactions == summary.sales + summary.refunds)
        #expect(events == summary.stockSets + summary.adjustments + summary.reserves + summary.commits + summary.releases)
        #expect(unparsed > 50 && unparsed < 1000)
        #expect(summary.invalidEvents.count == InventoryInvalidKind.allCases.count)
        #expect(summary.invalidTransactions.count >= 8)
    }

    /// What the stream holds, line by line: opening stock sets first, event times within
    /// the range and the 2 s bound, stock moving at stores, reservations followed up.
    @Test func theStreamLooksLikeADayOfInventory() throws {
        let dir = Scratch()
        let config = InventoryGeneratorConfig(locations: 20, skus: 500, count: 60_000, seed: 7, span: 12 * 3_600_000)
        let summary = try InventoryGenerator.write(config, to: dir.file("a.jsonl"))
        #expect(summary.invalid == 0)
        var latest: Int64 = 0
        var eventIDs = Set<String>()
        var locations = Set<String>()
        var openingDone = false
        var openingSets = 0
        var reserved = Set<String>()
        var finishes = 0, finishesOfKnown = 0, lineCounts: [Int: Int] = [:], repeatedSKUs = 0, ttls = 0
        var stringTimes = 0, delivered = 0, shrunk = 0
        let stores = Set((1 ... 18).map { "store-" + String(format: "%04d", $0) })
        for line in try lines(dir.file("a.jsonl")) {
            let object = try #require(jsonObject(line))
            let time = try #require(eventTime(object["event_time"]))
            #expect(time >= config.start && time < config.start + config.span)
            #expect(time >= latest - 2000)
            latest = max(latest, time)
            if object["event_time"] is String { stringTimes += 1 }
            if let store = object["store_id"] as? String {
                openingDone = true
                #expect(stores.contains(store))
                continue
            }
            let type = try #require(object["type"] as? String)
            let location = try #require(object["location"] as? String)
            locations.insert(location)
            if type == "stock_set" && !openingDone {
                openingSets += 1
                #expect(time == config.start)
                #expect((0 ... 200).contains(try #require(integer(object["qty"]))))
            } else {
                openingDone = true
            }
            if let id = object["event_id"] as? String { #expect(eventIDs.insert(id).inserted) }
            if type == "stock_adjust" {
                if try #require(integer(object["delta"])) > 0 { delivered += 1 } else { shrunk += 1 }
            }
            let key = location + "/" + (object["reservation_id"] as? String ?? "")
            switch type {
            case "reserve":
                reserved.insert(key)
                #expect((object["order_id"] as? String)?.hasPrefix("o-") == true)
                let items = try #require(object["lines"] as? [[String: Any]])
                #expect((1 ... 5).contains(items.count))
                lineCounts[items.count, default: 0] += 1
                if Set(items.map { $0["sku"] as! String }).count < items.count { repeatedSKUs += 1 }
                if object["ttl_ms"] != nil { ttls += 1 }
            case "commit", "release":
                finishes += 1
                if reserved.contains(key) { finishesOfKnown += 1 }
            default:
                break
            }
        }
        #expect(openingSets < summary.stockSets)
        #expect(openingSets > 3000 && openingSets < 7000)
        #expect(locations == stores.union(["wh-01", "wh-02"]))
        #expect(Double(finishesOfKnown) / Double(finishes) > 0.95)
        #expect(finishes > summary.reserves * 7 / 10)
        #expect(lineCounts.count == 5 && repeatedSKUs > 20)
        #expect(ttls > summary.reserves / 10 && ttls < summary.reserves * 3 / 10)
        #expect(delivered > shrunk && shrunk > 500)
        #expect(summary.sales > 60_000 * 6 / 10 && summary.refunds > summary.sales / 50)
        #expect(summary.reserves > 60_000 / 20 && summary.expectedExpiries > 0)
        #expect(stringTimes > 60_000 / 10)
    }

    /// The spec's inventory rules (section 5), applied to the file independently of
    /// `StockLedger`: the expiries they give are the summary's, stock goes below zero
    /// now and then, and every kind of reservation decision occurs.
    @Test func expectedExpiriesFollowFromTheRules() throws {
        let dir = Scratch()
        let config = InventoryGeneratorConfig(locations: 10, skus: 150, count: 30_000, seed: 5, span: 6 * 3_600_000)
        let summary = try InventoryGenerator.write(config, to: dir.file("a.jsonl"))
        struct Reservation { var state: String; var lines: [String: Int64]; var expiry: Int64 }
        var onHand: [String: Int64] = [:]
        var reserved: [String: Int64] = [:]
        var reservations: [String: Reservation] = [:]
        var expiries: [(time: Int64, order: Int, key: String)] = []
        var watermark = Int64.min
        var decisions: [String: Int] = [:]
        var oversold = 0
        func available(_ key: String) -> Int64 { onHand[key, default: 0] - reserved[key, default: 0] }
        func change(_ key: String, _ delta: Int64) {
            if available(key) >= 0 && available(key) + delta < 0 { oversold += 1 }
            onHand[key, default: 0] += delta
        }
        func expire(through time: Int64) {
            expiries.sort { ($0.time, $0.order) < ($1.time, $1.order) }
            while let first = expiries.first, first.time <= time {
                expiries.removeFirst()
                guard reservations[first.key]?.state == "open" else { continue }
                reservations[first.key]!.state = "expired"
                decisions["expired", default: 0] += 1
                for (key, qty) in reservations[first.key]!.lines { reserved[key]! -= qty }
            }
        }
        for line in try lines(dir.file("a.jsonl")) {
            let object = try #require(jsonObject(line))
            let time = try #require(eventTime(object["event_time"]))
            if let store = object["store_id"] as? String {
                let sign: Int64 = object["kind"] as? String == "refund" ? 1 : -1
                var merged: [String: Int64] = [:]
                for item in try #require(object["items"] as? [[String: Any]]) {
                    merged[store + "/" + (item["sku"] as! String), default: 0] += integer(item["qty"])!
                }
                for (key, qty) in merged { change(key, sign * qty) }
            } else {
                let location = object["location"] as! String
                let key = location + "/" + (object["sku"] as? String ?? "")
                let id = location + "/" + (object["reservation_id"] as? String ?? "")
                switch object["type"] as! String {
                case "stock_set": onHand[key] = integer(object["qty"])!
                case "stock_adjust": change(key, integer(object["delta"])!)
                case "reserve":
                    guard reservations[id] == nil else { decisions["repeated", default: 0] += 1; break }
                    var merged: [String: Int64] = [:]
                    for item in object["lines"] as! [[String: Any]] {
                        merged[location + "/" + (item["sku"] as! String), default: 0] += integer(item["qty"])!
                    }
                    if merged.allSatisfy({ $0.value <= available($0.key) }) {
                        for (key, qty) in merged { reserved[key, default: 0] += qty }
                        let expiry = time + (integer(object["ttl_ms"]) ?? 900_000)
                        reservations[id] = Reservation(state: "open", lines: merged, expiry: expiry)
                        expiries.append((expiry, reservations.count, id))
                        decisions["accepted", default: 0] += 1
                    } else {
                        reservations[id] = Reservation(state: "rejected", lines: [:], expiry: 0)
                        decisions["rejected", default: 0] += 1
                    }
                default:
                    let commit = object["type"] as! String == "commit"
                    guard let r = reservations[id], r.state != "rejected" else {
                        decisions["unknown_reservation", default: 0] += 1
                        break
                    }
                    guard r.state == "open" else { decisions["already_" + r.state, default: 0] += 1; break }
                    reservations[id]!.state = commit ? "committed" : "released"
                    decisions[commit ? "committed" : "released", default: 0] += 1
                    for (key, qty) in r.lines {
                        reserved[key]! -= qty
                        if commit { onHand[key]! -= qty }
                    }
                }
            }
            if time - 2000 > watermark {
                watermark = time - 2000
                expire(through: watermark)
            }
        }
        expire(through: .max)
        #expect(decisions["expired", default: 0] == summary.expectedExpiries)
        for decision in ["accepted", "rejected", "committed", "released", "expired", "repeated", "unknown_reservation",
                         "already_committed", "already_released", "already_expired"] {
            #expect(decisions[decision, default: 0] > 0, "no \(decision) in \(decisions)")
        }
        #expect(decisions["committed", default: 0] > decisions["accepted", default: 0] * 6 / 10)
        #expect(oversold > 10)
    }

    /// Few lines: the opening stock sets take what there is, and at least one SKU per location.
    @Test func aShortStreamStillOpensWithStock() throws {
        let dir = Scratch()
        let config = InventoryGeneratorConfig(locations: 20, skus: 500, count: 100, seed: 2)
        let summary = try InventoryGenerator.write(config, to: dir.file("a.jsonl"))
        #expect(summary.lines == 100)
        #expect(summary.stockSets >= 20 && summary.stockSets <= 60)
        #expect(summary.sales > 0)
    }

    @Test func storesAreThoseOfThePOSGenerator() throws {
        let config = InventoryGeneratorConfig(locations: 20)
        #expect(config.stores == 18 && config.warehouses == 2)
        #expect(InventoryGeneratorConfig(locations: 2).warehouses == 0)
        #expect(InventoryGeneratorConfig(locations: 3).warehouses == 1)
        let network = InventoryNetwork(config)
        let pos = StoreDirectory(count: 18)
        #expect(network.directory.stores.map(\.id) == pos.stores.map(\.id))
        #expect(network.directory.stores.map(\.currency) == pos.stores.map(\.currency))
        #expect(network.ids.suffix(2).map { String(decoding: $0, as: UTF8.self) } == ["wh-01", "wh-02"])
    }

    /// `--pos-fraction` sets the share of POS transactions in the fresh traffic (what is
    /// neither opening stock nor a planned commit or release): none at 0, nothing else
    /// at 1, and in between a lower share means more reservations.
    @Test func thePOSFractionSetsTheShareOfTransactions() throws {
        let dir = Scratch()
        func generate(_ fraction: Double) throws -> (summary: InventoryGenerationSummary, pos: Int, reserves: Int) {
            let config = InventoryGeneratorConfig(locations: 20, skus: 500, count: 20_000, seed: 3, invalidFraction: 0,
                                                  posFraction: fraction)
            let summary = try InventoryGenerator.write(config, to: dir.file("\(fraction).jsonl"))
            var pos = 0, reserves = 0
            for line in try lines(dir.file("\(fraction).jsonl")) {
                let object = try #require(jsonObject(line))
                if object["store_id"] != nil { pos += 1 }
                if object["type"] as? String == "reserve" { reserves += 1 }
            }
            return (summary, pos, reserves)
        }
        let none = try generate(0), only = try generate(1)
        #expect(none.pos == 0 && none.reserves > 20_000 / 4)
        #expect(only.reserves == 0 && only.pos > 20_000 * 3 / 4)
        let low = try generate(0.2), usual = try generate(InventoryGeneratorConfig.defaultPOSFraction)
        #expect(low.reserves > 3 * usual.reserves && low.pos < usual.pos / 2)
        #expect(low.summary.reserves == low.reserves && low.summary.expectedExpiries > usual.summary.expectedExpiries)
    }

    @Test func rejectsConfigurationsItCannotGenerate() {
        for config in [InventoryGeneratorConfig(locations: 0), InventoryGeneratorConfig(locations: 10_000),
                       InventoryGeneratorConfig(skus: 0), InventoryGeneratorConfig(skus: 4001),
                       InventoryGeneratorConfig(count: -1), InventoryGeneratorConfig(span: 0),
                       InventoryGeneratorConfig(invalidFraction: 1.5), InventoryGeneratorConfig(start: 0),
                       InventoryGeneratorConfig(posFraction: -0.1), InventoryGeneratorConfig(posFraction: 1.01)] {
            #expect(throws: InventoryGeneratorConfig.Invalid.self) { try config.validate() }
        }
        #expect(throws: Never.self) { try InventoryGeneratorConfig().validate() }
    }
}
