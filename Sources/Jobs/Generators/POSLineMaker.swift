import Dataflow

/// Makes the lines of one generated POS file, one call per line, and counts what it
/// made. All randomness comes from one `SeededRandom` drawn in line order, so a
/// configuration always yields the same lines.
///
/// Which lines are injected is decided by selection sampling: line `i` of `n` becomes
/// late, a duplicate or invalid with probability (still to place) / (lines left), so
/// exactly `round(fraction * count)` of each are placed, spread evenly at random.
struct POSLineMaker {
    /// How many recent valid lines are kept for re-sending as duplicates.
    static let recentCapacity = 4096

    private let config: POSGeneratorConfig
    private var random: SeededRandom
    private let catalog = ProductCatalog()
    private let directory: StoreDirectory
    private var schedule: TrafficSchedule
    /// Next receipt number per terminal: `counters[counterBase[store] + terminal]`.
    private var counters: [Int]
    private let counterBase: [Int]
    private var lateLeft: Int
    private var duplicatesLeft: Int
    private var invalidLeft: Int
    private let invalidWeights: [(kind: POSInvalidKind, weight: Int)]
    /// The last valid in-order lines, a ring: `recent[(recentNext - k) % capacity]` is the k-th most recent.
    private var recent: [[UInt8]] = []
    private var recentNext = 0
    private var draft = TransactionDraft()
    /// The largest event time of the in-order records so far.
    private var latestEventTime: Int64
    private(set) var summary = POSGenerationSummary()

    init(_ config: POSGeneratorConfig) {
        self.config = config
        random = SeededRandom(seed: config.seed)
        directory = StoreDirectory(count: config.stores)
        schedule = TrafficSchedule(start: config.start, span: config.span, count: max(1, config.count))
        var base: [Int] = []
        var counters: [Int] = []
        for store in directory.stores {
            base.append(counters.count)
            counters += store.firstCounters
        }
        self.counters = counters
        counterBase = base
        func placed(_ fraction: Double) -> Int { Int((Double(config.count) * fraction).rounded()) }
        lateLeft = placed(config.lateFraction)
        duplicatesLeft = min(placed(config.duplicateFraction), config.count - lateLeft)
        invalidLeft = min(placed(config.invalidFraction), config.count - lateLeft - duplicatesLeft)
        invalidWeights = POSInvalidKind.weights(for: config.format)
        latestEventTime = config.start
    }

    /// Appends line `index` (indexes must come in order 0, 1, ...) and its `\n`.
    mutating func appendLine(_ index: Int, to out: inout [UInt8]) {
        let linesLeft = config.count - index
        let r = random.int(below: linesLeft)
        let baseTime = schedule.baseTime(of: index)
        let lineStart = out.count
        summary.lines += 1
        if r < lateLeft {
            lateLeft -= 1
            // Behind the latest event time so far, not just its own slot: late even where traffic is sparse.
            makeValidDraft(eventTime: min(baseTime - jitter(), latestEventTime) - latePushBack())
            appendRecord(.none, to: &out)
            summary.late += 1
            countValid()
        } else if r < lateLeft + duplicatesLeft && !recent.isEmpty {
            duplicatesLeft -= 1
            out.append(contentsOf: recent[pickRecent()])
            summary.duplicates += 1
        } else if r >= lateLeft + duplicatesLeft && r < lateLeft + duplicatesLeft + invalidLeft {
            invalidLeft -= 1
            let kind = invalidWeights[random.pick(weights: invalidWeights.map(\.weight))].kind
            appendInvalid(kind, eventTime: max(config.start, baseTime - jitter()), to: &out)
            summary.invalidByKind[kind, default: 0] += 1
        } else {
            makeValidDraft(eventTime: max(config.start, baseTime - jitter()))
            latestEventTime = max(latestEventTime, draft.eventTime)
            appendRecord(.none, to: &out)
            remember(out[lineStart...])
            summary.inOrder += 1
            countValid()
        }
        out.append(0x0A)
        summary.bytes += Int64(out.count - lineStart)
    }

    // MARK: Valid transactions

    /// How far back an in-order record's time is set from its base time: up to 1.5 s,
    /// inside the 2 s out-of-orderness bound.
    private mutating func jitter() -> Int64 { Int64(random.int(in: 0 ... 1500)) }

    /// How far a late record is pushed back behind the latest event time so far: 5 s to
    /// 10 min, mostly under half a minute.
    private mutating func latePushBack() -> Int64 {
        switch random.pick(weights: Self.pushBackWeights) {
        case 0: Int64(random.int(in: 5_000 ... 30_000))
        case 1: Int64(random.int(in: 30_001 ... 180_000))
        default: Int64(random.int(in: 180_001 ... 600_000))
        }
    }

    private mutating func countValid() {
        if draft.kind == .refund { summary.refunds += 1 }
        if draft.writtenTotal != draft.total && config.format == .jsonLines { summary.totalMismatches += 1 }
    }

    /// Fills `draft` with a new valid transaction at `eventTime`: a store by traffic
    /// share, one of its terminals, its next receipt number, a basket, how it is written.
    private mutating func makeValidDraft(eventTime: Int64, itemCount: Int? = nil) {
        draft.store = directory.drawStore(&random)
        let store = directory.stores[draft.store]
        draft.terminal = random.int(below: store.terminalIDs.count)
        let counterIndex = counterBase[draft.store] + draft.terminal
        draft.counter = counters[counterIndex]
        counters[counterIndex] += 1
        draft.eventTime = eventTime
        if let second = store.secondCurrency, random.int(below: 100) < store.secondCurrencyPercent {
            draft.currency = second
        } else {
            draft.currency = store.currency
        }
        draft.kind = random.int(below: 1000) < 30 ? .refund : .sale
        let basketSize = itemCount ?? (draft.kind == .refund
            ? 1 + random.pick(weights: Self.refundBasketWeights)
            : 1 + random.pick(weights: Self.saleBasketWeights))
        draft.removeItems()
        for _ in 0 ..< basketSize {
            let sku = catalog.drawSKU(&random)
            let quantity = itemCount != nil ? 1 : Self.quantities[random.pick(weights: Self.quantityWeights)]
            draft.addItem(sku: sku, quantity: quantity, unitPrice: catalog.price(of: sku, in: draft.currency))
        }
        draft.writtenTotal = draft.total
        if itemCount == nil && random.int(below: 1000) < 20 { draft.writtenTotal = mismatchedTotal() }
        switch random.pick(weights: draft.kind == .sale ? Self.salePaymentWeights : Self.refundPaymentWeights) {
        case 0: draft.payment = .card
        case 1: draft.payment = .cash
        case 2: draft.payment = .voucher
        default: draft.payment = nil
        }
        if random.int(below: 2) == 0 {
            draft.timeOffsetMinutes = nil
        } else {
            draft.timeOffsetMinutes = random.int(below: 5) < 3 ? 0 : 60
        }
        draft.moneyStyle = Self.moneyStyles[random.pick(weights: Self.moneyStyleWeights)]
        draft.writesKind = draft.kind == .refund || random.int(below: 5) != 0
        draft.loyaltyNumber = random.int(below: 10) == 0 ? random.int(in: 1 ... 9_999_999) : nil
    }

    // The shapes of the traffic, as relative weights.
    /// Basket sizes 1 ... 12 of a sale, and 1 ... 2 of a refund.
    private static let saleBasketWeights = [30, 20, 13, 9, 7, 5, 4, 3, 3, 2, 2, 2]
    private static let refundBasketWeights = [80, 20]
    private static let quantities = [1, 2, 3, 4, 5, 6, 10, 12]
    private static let quantityWeights = [780, 130, 50, 20, 8, 6, 3, 3]
    /// Card, cash, voucher, no payment field.
    private static let salePaymentWeights = [65, 25, 3, 7]
    private static let refundPaymentWeights = [60, 30, 0, 10]
    private static let moneyStyles: [GeneratorText.MoneyStyle] = [.string, .number, .trimmedNumber, .trimmedString]
    private static let moneyStyleWeights = [45, 30, 20, 5]
    /// Unitemized discount, rounding slip, an item counted twice.
    private static let mismatchWeights = [40, 40, 20]
    /// Late push back: 5-30 s, 30 s - 3 min, 3-10 min.
    private static let pushBackWeights = [60, 30, 10]

    /// A total that differs from the items' sum the ways tills get it wrong: a discount
    /// not itemized, a rounding slip, an item counted twice.
    private mutating func mismatchedTotal() -> Int64 {
        let total = draft.total
        switch random.pick(weights: Self.mismatchWeights) {
        case 0: return total - max(1, total / 10)
        case 1:
            let slip = Int64(random.int(in: 1 ... 5))
            return total > slip && random.int(below: 2) == 0 ? total - slip : total + slip
        default: return total + draft.unitPrices[random.int(below: draft.itemCount)]
        }
    }

    private func appendRecord(_ fault: RecordFault, to out: inout [UInt8]) {
        let store = directory.stores[draft.store]
        switch config.format {
        case .jsonLines: draft.appendJSON(store: store, fault: fault, to: &out)
        case .csv: draft.appendCSV(store: store, fault: fault, to: &out)
        }
    }

    // MARK: Duplicates

    private mutating func remember(_ line: ArraySlice<UInt8>) {
        if recent.count < Self.recentCapacity {
            recent.append(Array(line))
        } else {
            recent[recentNext].removeAll(keepingCapacity: true)
            recent[recentNext].append(contentsOf: line)
        }
        recentNext = (recentNext + 1) % Self.recentCapacity
    }

    /// A recent line: mostly one of the last ten (a till retrying), sometimes older.
    private mutating func pickRecent() -> Int {
        let available = recent.count
        let back = random.int(below: 10) < 7 ? random.int(in: 1 ... min(10, available)) : random.int(in: 1 ... available)
        return (recentNext - back + Self.recentCapacity) % Self.recentCapacity
    }

    // MARK: Invalid lines

    /// Appends a line that breaks one rule, by `kind`.
    private mutating func appendInvalid(_ kind: POSInvalidKind, eventTime: Int64, to out: inout [UInt8]) {
        var fault = RecordFault()
        switch kind {
        case .emptyLine:
            if random.int(below: 4) == 0 { out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: random.int(in: 1 ... 3))) }
            return
        case .notAnObject:
            let values: [StaticString] = ["[1,2]", "42", "null", "true", "\"s0001-t01-000001\"", "[{\"tx_id\":\"s0001-t01-000001\"}]"]
            JSONWriter.appendRaw(values[random.int(below: values.count)], to: &out)
            return
        case .truncatedJSON:
            makeValidDraft(eventTime: eventTime)
            let start = out.count
            appendRecord(.none, to: &out)
            out.removeLast(out.count - start - random.int(in: 1 ... out.count - start - 1))
            return
        case .tooManyItems:
            makeValidDraft(eventTime: eventTime, itemCount: 1001)
            appendRecord(.none, to: &out)
            return
        case .wrongType:
            makeValidDraft(eventTime: eventTime)
            // JSON only: in CSV every cell is text, and `badInteger` covers the integer columns.
            let fields: [RecordFault.Field] = [.txID, .storeID, .terminalID, .eventTime, .kind, .currency, .items,
                                                .sku, .qty, .unitPrice, .total, .payment]
            let field = fields[random.pick(weights: [4, 4, 4, 10, 6, 4, 8, 6, 20, 14, 10, 3])]
            fault = RecordFault(kind: .wrongType, field: field, item: random.int(below: draft.itemCount),
                                variant: random.int(below: 12))
            if field == .payment && draft.payment == nil { draft.payment = .card }
        case .missingField:
            makeValidDraft(eventTime: eventTime)
            let fields: [RecordFault.Field] = config.format == .csv
                ? [.storeID, .terminalID, .eventTime, .currency, .total]
                : [.storeID, .terminalID, .eventTime, .currency, .items, .total, .sku, .qty, .unitPrice]
            fault = RecordFault(kind: .missing, field: fields[random.int(below: fields.count)],
                                item: random.int(below: draft.itemCount))
        case .zeroQuantity:
            makeValidDraft(eventTime: eventTime)
            fault = RecordFault(kind: .zeroQuantity, field: .qty, item: random.int(below: draft.itemCount))
        case .unknownCurrency:
            makeValidDraft(eventTime: eventTime)
            let codes = ["XYZ", "BTC", "RUB", "EUD"]
            fault = RecordFault(kind: .currencyCode, field: .currency, text: Array(codes[random.int(below: codes.count)].utf8))
        case .badMoney:
            makeValidDraft(eventTime: eventTime)
            let onTotal = random.int(below: 3) == 0
            fault = RecordFault(kind: .excessMoneyDigits, field: onTotal ? .total : .unitPrice,
                                item: random.int(below: draft.itemCount))
        case .eventTimeOutOfRange:
            makeValidDraft(eventTime: eventTime)
            let times: [Int64] = [946_684_799_999, 4_102_444_800_000, 0, 4_200_000_000_000]
            fault = RecordFault(kind: .eventTime, field: .eventTime, variant: random.int(below: 2),
                                value: times[random.int(below: times.count)])
        case .invalidUTF8:
            makeValidDraft(eventTime: eventTime)
            let sequences: [[UInt8]] = [[0xFF], [0xC3, 0x28], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xE2, 0x82]]
            let bytes = sequences[random.int(below: sequences.count)]
            if config.format == .csv {
                fault = RecordFault(kind: .invalidUTF8, field: .terminalID, text: Array("t0".utf8) + bytes)
            } else {
                fault = RecordFault(kind: .invalidUTF8, field: .sku, item: random.int(below: draft.itemCount), text: bytes)
            }
        case .duplicateKey:
            makeValidDraft(eventTime: eventTime)
            let fields: [RecordFault.Field] = [.storeID, .eventTime, .currency, .total, .qty]
            fault = RecordFault(kind: .duplicateKey, field: fields[random.int(below: fields.count)],
                                item: random.int(below: draft.itemCount))
        case .deepNesting:
            makeValidDraft(eventTime: eventTime)
            fault = RecordFault(kind: .deepNesting, value: 100)
        case .oversizedLine:
            makeValidDraft(eventTime: eventTime)
            fault = RecordFault(kind: .padding, value: Int64(LineReader.maxLineBytes + random.int(in: 1 ... 100_000)))
        case .wrongCellCount:
            makeValidDraft(eventTime: eventTime)
            fault = RecordFault(kind: .cellCount, variant: random.int(below: 2))
        case .brokenQuoting:
            makeValidDraft(eventTime: eventTime)
            fault = RecordFault(kind: .brokenQuote)
        case .badInteger:
            makeValidDraft(eventTime: eventTime)
            switch random.int(below: 5) {
            case 0:
                var text: [UInt8] = []
                GeneratorText.appendRFC3339(eventTime, offsetMinutes: 0, to: &text)
                fault = RecordFault(kind: .wrongType, field: .eventTime, text: text)
            case 1:
                var text: [UInt8] = []
                GeneratorText.appendMoney(draft.total, digits: 2, style: .number, to: &text)
                fault = RecordFault(kind: .wrongType, field: .total, text: text)
            case 2: fault = RecordFault(kind: .wrongType, field: .itemCount, text: Array("two".utf8))
            case 3: fault = RecordFault(kind: .wrongType, field: .itemCount, text: Array("-1".utf8))
            default: fault = RecordFault(kind: .wrongType, field: .total, text: Array("1e3".utf8))
            }
        }
        appendRecord(fault, to: &out)
    }
}
