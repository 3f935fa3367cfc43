import Dataflow
import Jobs

/// Makes the lines of one generated inventory stream, one call per line, and counts what
/// it made. All randomness comes from `SeededRandom`s drawn in line order, so a
/// configuration always yields the same lines.
///
/// The stream opens with a `stock_set` of every slot (`InventoryNetwork`) at `start`.
/// The day's lines follow on `TrafficSchedule` base times, each set back by up to 1.5 s.
/// At each of them the line is, in this order of precedence: a broken line (selection
/// sampling places exactly `round(invalidFraction * count)`, at most the day's lines);
/// a planned line now due (a commit, a release, the rest of a delivery); or fresh
/// traffic: mostly POS transactions at stores, reservations, deliveries, shrink,
/// recounts, and a few commits of unknown ids and repeated reservation ids.
/// `StockLedger` keeps the account the job will keep, which decides what to plan.
struct InventoryLineMaker {
    private let config: InventoryGeneratorConfig
    private var random: SeededRandom
    private let network: InventoryNetwork
    private var ledger: StockLedger
    private var pos: TransactionDraftMaker
    private var schedule: TrafficSchedule
    private var planned = MinHeap<PlannedLine>()
    private var plannedSequence = 0
    private var event = InventoryEventDraft()
    /// Slots of the reservation being made.
    private var reserveSlots: [Int] = []
    /// Recent reservations, a ring, for repeats of their ids.
    private var recentReserves: [RecentReserve] = []
    private var recentNext = 0
    /// Opening stock sets, then the day's lines.
    private let openingLines: Int
    private let dayLines: Int
    private var invalidLeft: Int
    private var openingLocation = 0
    private var nextEventNumber = 1
    private var nextReservationNumber = 1
    private var nextOrderNumber: Int
    private let posInvalidWeights: [Int]
    private let eventInvalidWeights: [Int]
    private let freshWeights: [Int]
    private(set) var summary = InventoryGenerationSummary()

    private struct RecentReserve {
        var number: Int
        var location: Int
        var order: Int
        var ttl: Int64?
        var skus: [Int]
        var quantities: [Int]
    }

    static let recentCapacity = 64

    init(_ config: InventoryGeneratorConfig) {
        self.config = config
        random = SeededRandom(seed: config.seed)
        network = InventoryNetwork(config)
        ledger = StockLedger(slots: network.slotCount)
        pos = TransactionDraftMaker(directory: network.directory, catalog: ProductCatalog(), start: config.start)
        openingLines = min(network.slotCount, config.count)
        dayLines = config.count - openingLines
        schedule = TrafficSchedule(start: config.start, span: config.span, count: max(1, dayLines))
        invalidLeft = min(Int((Double(config.count) * config.invalidFraction).rounded()), dayLines)
        nextOrderNumber = 1_000_000 + random.int(below: 100_000)
        posInvalidWeights = POSInvalidKind.weights(for: .jsonLines).map(\.weight)
        eventInvalidWeights = InventoryInvalidKind.weights.map(\.weight)
        freshWeights = Self.freshWeights(posFraction: config.posFraction)
    }

    /// Appends line `index` (indexes must come in order 0, 1, ...) and its `\n`.
    mutating func appendLine(_ index: Int, to out: inout [UInt8]) {
        let lineStart = out.count
        summary.lines += 1
        if index < openingLines {
            while network.slotBase[openingLocation + 1] <= index { openingLocation += 1 }
            appendStockEvent(.stockSet, location: openingLocation, slot: index, amount: Int(network.opening[index]),
                             at: config.start, to: &out)
        } else {
            let day = index - openingLines
            let r = random.int(below: dayLines - day)
            let base = schedule.baseTime(of: day)
            let time = max(config.start, base - Int64(random.int(in: 0 ... 1500)))
            if r < invalidLeft {
                invalidLeft -= 1
                appendInvalid(at: time, to: &out)
            } else if let next = planned.min, next.due <= base {
                planned.removeMin()
                appendPlanned(next, at: time, to: &out)
            } else {
                appendFresh(at: time, to: &out)
            }
        }
        out.append(0x0A)
        summary.bytes += Int64(out.count - lineStart)
    }

    /// After the last line: what is still open expires at the end of the stream.
    mutating func finish() {
        ledger.finishStream()
        summary.expectedExpiries = ledger.expiries
    }

    // MARK: Fresh traffic

    /// POS transaction, new reservation, delivery, shrink, recount, commit or release of
    /// an unknown id, repeated reservation id: relative weights by default.
    static let defaultFreshWeights = [7600, 900, 45, 180, 40, 15, 25]

    /// The fresh-traffic weights with `posFraction` of POS transactions, the others in
    /// their default proportions (the defaults exactly at the default fraction).
    static func freshWeights(posFraction: Double) -> [Int] {
        let total = defaultFreshWeights.reduce(0, +)
        let otherTotal = total - defaultFreshWeights[0]
        let pos = Int((posFraction * Double(total)).rounded())
        return [pos] + defaultFreshWeights.dropFirst().map { $0 * (total - pos) / otherTotal }
    }

    private mutating func appendFresh(at time: Int64, to out: inout [UInt8]) {
        switch random.pick(weights: freshWeights) {
        case 0: appendTransaction(at: time, to: &out)
        case 1: appendNewReserve(at: time, to: &out)
        case 2: appendDelivery(at: time, to: &out)
        case 3: appendShrink(at: time, to: &out)
        case 4: appendRecount(at: time, to: &out)
        case 5: appendStrayFinish(at: time, to: &out)
        default: appendRepeatedReserve(at: time, to: &out)
        }
    }

    /// A sale or refund at a store, of SKUs the store carries: stock moves.
    private mutating func appendTransaction(at time: Int64, to out: inout [UInt8]) {
        pos.makeValidDraft(eventTime: time, skus: network, &random)
        let sign = pos.draft.kind == .sale ? -1 : 1
        for i in 0 ..< pos.draft.itemCount {
            let slot = network.slot(location: pos.draft.store, sku: pos.draft.skus[i])
            ledger.adjust(slot, by: sign * pos.draft.quantities[i])
        }
        if pos.draft.kind == .sale { summary.sales += 1 } else { summary.refunds += 1 }
        pos.appendRecord(.none, format: .jsonLines, to: &out)
        ledger.advance(to: time)
    }

    /// Restocking a location: the SKUs at or below half their par level (up to 24, from
    /// a random place in the assortment), each topped up to par in whole cases; one to
    /// three SKUs when nothing is low. The first line now, the others in the next slots.
    private mutating func appendDelivery(at time: Int64, to out: inout [UInt8]) {
        let location = network.drawLocation(warehousePercent: 15, &random)
        let caseSize = network.isStore(location) ? 6 : 24
        let first = network.slotBase[location]
        let slots = network.slotBase[location + 1] - first
        var chosen: [Int] = []
        let offset = random.int(below: slots)
        for k in 0 ..< slots {
            let slot = first + (offset + k) % slots
            if ledger.available(slot) * 2 <= Int(network.par[slot]) { chosen.append(slot) }
            if chosen.count == 24 { break }
        }
        if chosen.isEmpty {
            for _ in 0 ..< random.int(in: 1 ... 3) { chosen.append(network.drawSlot(location: location, &random)) }
        }
        for (k, slot) in chosen.enumerated() {
            let missing = Int(network.par[slot]) - ledger.available(slot)
            let delta = max(caseSize, (missing + caseSize - 1) / caseSize * caseSize)
            if k == 0 {
                appendStockEvent(.stockAdjust, location: location, slot: slot, amount: delta, at: time, to: &out)
            } else {
                plan(PlannedLine(due: time, sequence: 0, action: .delivery, target: slot, location: location, amount: delta))
            }
        }
    }

    /// Shrink: a unit or a few gone (theft, damage), now and then a damaged case.
    private mutating func appendShrink(at time: Int64, to out: inout [UInt8]) {
        let location = network.drawLocation(warehousePercent: 10, &random)
        let slot = network.drawSlot(location: location, &random)
        let loss = random.int(below: 100) < 3 ? (random.int(below: 2) == 0 ? 6 : 12) : 1 + random.pick(weights: [70, 20, 10])
        appendStockEvent(.stockAdjust, location: location, slot: slot, amount: -loss, at: time, to: &out)
    }

    /// A recount: the shelf holds about what the books say, or, after an oversell, a few.
    private mutating func appendRecount(at time: Int64, to out: inout [UInt8]) {
        let location = network.drawLocation(warehousePercent: 5, &random)
        let slot = network.drawSlot(location: location, &random)
        let onHand = ledger.onHand[slot]
        let counted = onHand < 0 ? random.int(in: 0 ... 5) : max(0, onHand + random.int(in: -3 ... 2))
        appendStockEvent(.stockSet, location: location, slot: slot, amount: counted, at: time, to: &out)
    }

    /// A `stock_set` or `stock_adjust` of `amount` (qty or delta).
    private mutating func appendStockEvent(_ kind: InventoryEventDraft.Kind, location: Int, slot: Int, amount: Int,
                                           at time: Int64, to out: inout [UInt8]) {
        event.kind = kind
        event.eventNumber = nextEventNumber
        nextEventNumber += 1
        event.location = location
        event.sku = Int(network.skuOfSlot[slot])
        event.quantity = amount
        event.eventTime = time
        drawTimeStyle()
        if kind == .stockSet {
            ledger.setStock(slot, amount)
            summary.stockSets += 1
        } else {
            ledger.adjust(slot, by: amount)
            summary.adjustments += 1
        }
        event.appendJSON(ids: network.ids, fault: .none, to: &out)
        ledger.advance(to: time)
    }

    // MARK: Reservations

    /// Click and collect: 1 to 5 lines at a store or a warehouse, now and then the same
    /// SKU twice, now and then a quantity beyond what is available; the TTL mostly the
    /// default. Its commit or release is planned according to the decision.
    private mutating func appendNewReserve(at time: Int64, to out: inout [UInt8]) {
        let location = network.drawLocation(warehousePercent: 25, &random)
        let number = nextReservationNumber
        nextReservationNumber += 1
        nextOrderNumber += 1 + random.int(below: 3)
        event.kind = .reserve
        event.location = location
        event.reservationNumber = number
        event.orderNumber = nextOrderNumber
        event.removeLines()
        reserveSlots.removeAll(keepingCapacity: true)
        let lineCount = 1 + random.pick(weights: [45, 25, 15, 10, 5])
        for k in 0 ..< lineCount {
            var slot = network.drawSlot(location: location, &random)
            if k > 0 && random.int(below: 100) < 6 { slot = reserveSlots[random.int(below: k)] }
            reserveSlots.append(slot)
            event.lineSKUs.append(Int(network.skuOfSlot[slot]))
            event.lineQuantities.append(Self.lineQuantities[random.pick(weights: Self.lineQuantityWeights)])
        }
        if random.int(below: 100) < 4 {
            let k = random.int(below: lineCount)
            event.lineQuantities[k] = max(0, ledger.available(reserveSlots[k])) + random.int(in: 1 ... 300)
        }
        event.ttl = random.int(below: 100) < 80 ? nil : Int64(random.int(in: 4 ... 20)) * 30_000
        event.eventTime = time
        drawTimeStyle()
        let accepted = ledger.reserve(number, location: location, slots: reserveSlots, quantities: event.lineQuantities,
                                      ttl: event.ttl, at: time)
        summary.reserves += 1
        event.appendJSON(ids: network.ids, fault: .none, to: &out)
        ledger.advance(to: time)
        planFollowUp(number, location: location, accepted: accepted, at: time, ttl: event.ttl ?? StockLedger.defaultTTL)
        let recent = RecentReserve(number: number, location: location, order: nextOrderNumber, ttl: event.ttl,
                                   skus: event.lineSKUs, quantities: event.lineQuantities)
        if recentReserves.count < Self.recentCapacity { recentReserves.append(recent) } else { recentReserves[recentNext] = recent }
        recentNext = (recentNext + 1) % Self.recentCapacity
    }

    private static let lineQuantities = [1, 2, 3, 4, 6]
    private static let lineQuantityWeights = [70, 18, 7, 3, 2]

    /// What happens to a reservation. Accepted: committed in time, released in time, left
    /// to expire, committed or released after its expiry, committed or released in time
    /// and then once more. Rejected: mostly nothing, now and then a commit or release
    /// all the same (an unknown reservation to the job).
    private mutating func planFollowUp(_ number: Int, location: Int, accepted: Bool, at time: Int64, ttl: Int64) {
        let inTime = time + 5000 + Int64(random.int(in: 0 ... Int((ttl - 20_000) * 85 / 100)))
        let afterExpiry = time + ttl + 5000 + Int64(random.int(in: 0 ... 600_000))
        func line(_ action: PlannedLine.Action, _ due: Int64, then: PlannedLine.Action? = nil) -> PlannedLine {
            PlannedLine(due: due, sequence: 0, action: action, target: number, location: location, then: then)
        }
        if accepted {
            switch random.pick(weights: [680, 120, 120, 30, 15, 25, 10]) {
            case 0: plan(line(.commit, inTime))
            case 1: plan(line(.release, inTime))
            case 2: break
            case 3: plan(line(.commit, afterExpiry))
            case 4: plan(line(.release, afterExpiry))
            case 5: plan(line(.commit, inTime, then: random.int(below: 10) < 6 ? .commit : .release))
            default: plan(line(.release, inTime, then: random.int(below: 10) < 6 ? .release : .commit))
            }
        } else {
            let due = time + Int64(random.int(in: 10_000 ... 120_000))
            switch random.pick(weights: [900, 70, 30]) {
            case 0: break
            case 1: plan(line(.commit, due))
            default: plan(line(.release, due))
            }
        }
    }

    private mutating func plan(_ line: PlannedLine) {
        var line = line
        line.sequence = plannedSequence
        plannedSequence += 1
        planned.insert(line)
    }

    private mutating func appendPlanned(_ line: PlannedLine, at time: Int64, to out: inout [UInt8]) {
        switch line.action {
        case .delivery:
            appendStockEvent(.stockAdjust, location: line.location, slot: line.target, amount: line.amount, at: time, to: &out)
        case .commit, .release:
            appendFinish(commit: line.action == .commit, line.target, location: line.location, at: time, to: &out)
            if let then = line.then {
                let due = time + Int64(random.int(in: 1000 ... 120_000))
                plan(PlannedLine(due: due, sequence: 0, action: then, target: line.target, location: line.location))
            }
        }
    }

    /// A `commit` or `release` of reservation `number` at `location`.
    private mutating func appendFinish(commit: Bool, _ number: Int, location: Int, at time: Int64, to out: inout [UInt8]) {
        event.kind = commit ? .commit : .release
        event.reservationNumber = number
        event.location = location
        event.eventTime = time
        drawTimeStyle()
        _ = ledger.finish(number, location: location, commit: commit)
        if commit { summary.commits += 1 } else { summary.releases += 1 }
        event.appendJSON(ids: network.ids, fault: .none, to: &out)
        ledger.advance(to: time)
    }

    /// A commit or release the job does not know: a real id at another location (ids are
    /// scoped to their location), or an id never issued.
    private mutating func appendStrayFinish(at time: Int64, to out: inout [UInt8]) {
        let location = network.drawLocation(warehousePercent: 25, &random)
        var number = neverIssuedReservation()
        if nextReservationNumber > 1 && random.int(below: 2) == 0 {
            let issued = 1 + random.int(below: nextReservationNumber - 1)
            if ledger.state(of: issued, at: location) == .unseen { number = issued }
        }
        appendFinish(commit: random.int(below: 10) < 7, number, location: location, at: time, to: &out)
    }

    /// A reservation number above any issued (there are at most `count` of those).
    private mutating func neverIssuedReservation() -> Int { config.count + 1 + random.int(below: max(1, config.count)) }

    /// A recent reservation id again, at its location: the same request re-sent, or new
    /// lines under the used id. The job repeats its first decision and changes nothing.
    private mutating func appendRepeatedReserve(at time: Int64, to out: inout [UInt8]) {
        guard !recentReserves.isEmpty else { return appendNewReserve(at: time, to: &out) }
        let recent = recentReserves[random.int(below: recentReserves.count)]
        event.kind = .reserve
        event.location = recent.location
        event.reservationNumber = recent.number
        event.orderNumber = recent.order
        event.ttl = recent.ttl
        event.removeLines()
        reserveSlots.removeAll(keepingCapacity: true)
        if random.int(below: 2) == 0 {
            event.lineSKUs.append(contentsOf: recent.skus)
            event.lineQuantities.append(contentsOf: recent.quantities)
            for sku in recent.skus { reserveSlots.append(network.slot(location: recent.location, sku: sku)) }
        } else {
            for _ in 0 ..< 1 + random.pick(weights: [60, 30, 10]) {
                let slot = network.drawSlot(location: recent.location, &random)
                reserveSlots.append(slot)
                event.lineSKUs.append(Int(network.skuOfSlot[slot]))
                event.lineQuantities.append(Self.lineQuantities[random.pick(weights: Self.lineQuantityWeights)])
            }
        }
        event.eventTime = time
        drawTimeStyle()
        _ = ledger.reserve(recent.number, location: recent.location, slots: reserveSlots,
                           quantities: event.lineQuantities, ttl: event.ttl, at: time)
        summary.reserves += 1
        event.appendJSON(ids: network.ids, fault: .none, to: &out)
        ledger.advance(to: time)
    }

    // MARK: Broken lines

    /// Half broken POS lines (`POSInvalidKind`), half broken inventory events.
    private mutating func appendInvalid(at time: Int64, to out: inout [UInt8]) {
        if random.int(below: 2) == 0 {
            let kind = POSInvalidKind.weights(for: .jsonLines)[random.pick(weights: posInvalidWeights)].kind
            pos.appendInvalid(kind, eventTime: time, format: .jsonLines, skus: network, &random, to: &out)
            summary.invalidTransactions[kind, default: 0] += 1
        } else {
            let kind = InventoryInvalidKind.weights[random.pick(weights: eventInvalidWeights)].kind
            appendBrokenEvent(kind, at: time, to: &out)
            summary.invalidEvents[kind, default: 0] += 1
        }
    }

    /// An inventory event that breaks one rule, by `kind`. It changes nothing in the
    /// ledger (the job rejects it), but uses up its event or reservation number.
    private mutating func appendBrokenEvent(_ kind: InventoryInvalidKind, at time: Int64, to out: inout [UInt8]) {
        var fault = EventFault()
        switch kind {
        case .truncatedJSON:
            makeSampleEvent(drawSampleKind(), at: time)
            let start = out.count
            event.appendJSON(ids: network.ids, fault: .none, to: &out)
            out.removeLast(out.count - start - random.int(in: 1 ... out.count - start - 1))
            return
        case .unknownType:
            makeSampleEvent(drawSampleKind(), at: time)
            fault = EventFault(kind: .unknownType, field: .type, variant: random.int(below: 6))
        case .missingField:
            makeSampleEvent(drawSampleKind(), at: time)
            let fields = event.kind.fields.filter { $0 != .ttl }
            fault = EventFault(kind: .missingField, field: fields[random.int(below: fields.count)],
                               line: random.int(below: max(1, event.lineSKUs.count)))
        case .wrongType:
            makeSampleEvent(drawSampleKind(), at: time)
            let fields = event.kind.fields
            fault = EventFault(kind: .wrongType, field: fields[random.int(below: fields.count)],
                               line: random.int(below: max(1, event.lineSKUs.count)), variant: random.int(below: 12))
            if fault.field == .ttl && event.ttl == nil { event.ttl = StockLedger.defaultTTL }
        case .negativeStockLevel:
            makeSampleEvent(.stockSet, at: time)
            event.quantity = -random.int(in: 1 ... 20)
        case .nonPositiveLineQuantity:
            makeSampleEvent(.reserve, at: time)
            event.lineQuantities[random.int(below: event.lineQuantities.count)] = -random.int(in: 0 ... 3)
        case .emptyReservation:
            makeSampleEvent(.reserve, at: time)
            event.removeLines()
        case .zeroTTL:
            makeSampleEvent(.reserve, at: time)
            event.ttl = [0, 0, -1, -60_000][random.int(below: 4)]
        }
        event.appendJSON(ids: network.ids, fault: fault, to: &out)
    }

    /// Stock set, stock adjust, reserve, commit, release.
    private mutating func drawSampleKind() -> InventoryEventDraft.Kind {
        [.stockSet, .stockAdjust, .reserve, .commit, .release][random.pick(weights: [20, 25, 35, 12, 8])]
    }

    /// Fills `event` with a plausible event of `kind` that the ledger does not see.
    private mutating func makeSampleEvent(_ kind: InventoryEventDraft.Kind, at time: Int64) {
        let location = network.drawLocation(warehousePercent: 25, &random)
        event.kind = kind
        event.location = location
        event.eventTime = time
        event.removeLines()
        event.ttl = nil
        switch kind {
        case .stockSet, .stockAdjust:
            event.eventNumber = nextEventNumber
            nextEventNumber += 1
            let slot = network.drawSlot(location: location, &random)
            event.sku = Int(network.skuOfSlot[slot])
            event.quantity = kind == .stockSet ? random.int(in: 0 ... 200) : random.int(in: 1 ... 48) * (random.int(below: 2) == 0 ? 1 : -1)
        case .reserve:
            event.reservationNumber = nextReservationNumber
            nextReservationNumber += 1
            nextOrderNumber += 1 + random.int(below: 3)
            event.orderNumber = nextOrderNumber
            for _ in 0 ..< 1 + random.pick(weights: [60, 30, 10]) {
                event.lineSKUs.append(Int(network.skuOfSlot[network.drawSlot(location: location, &random)]))
                event.lineQuantities.append(1 + random.int(below: 3))
            }
            if random.int(below: 5) == 0 { event.ttl = Int64(random.int(in: 4 ... 20)) * 30_000 }
        case .commit, .release:
            event.reservationNumber = nextReservationNumber > 1 ? 1 + random.int(below: nextReservationNumber - 1) : 1
        }
        drawTimeStyle()
    }

    /// Event times of inventory events: mostly integer epoch ms, about 15% RFC 3339 (in
    /// UTC, or at +01:00).
    private mutating func drawTimeStyle() {
        if random.int(below: 100) < 85 {
            event.timeOffsetMinutes = nil
        } else {
            event.timeOffsetMinutes = random.int(below: 3) < 2 ? 0 : 60
        }
    }
}
