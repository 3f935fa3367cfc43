import Dataflow
import Jobs

/// Where the SKUs of a generated basket come from: the whole catalog by popularity (the
/// POS generator), or what one store carries (the inventory generator).
protocol SKUSource {
    /// A 0-based SKU for a basket at store `store` (an index into `StoreDirectory.stores`).
    func drawSKU(store: Int, _ random: inout SeededRandom) -> Int
}

extension ProductCatalog: SKUSource {
    @inline(__always)
    func drawSKU(store: Int, _ random: inout SeededRandom) -> Int { drawSKU(&random) }
}

/// Makes the POS transactions of the generators, valid or breaking one rule, in one
/// reused `TransactionDraft`, and writes them: the part of the POS generator that the
/// inventory generator shares. Keeps each terminal's receipt counter, so `tx_id`s stay
/// unique per store, also across files of consecutive stretches of time: a terminal
/// issues at most about one receipt a second, so counters start one per second of
/// event time after the generators' default start later (files that start earlier than
/// it share the default counters). The caller passes its `SeededRandom`, drawn from in
/// a fixed order.
struct TransactionDraftMaker {
    let catalog: ProductCatalog
    let directory: StoreDirectory
    /// Next receipt number per terminal: `counters[counterBase[store] + terminal]`.
    private var counters: [Int]
    private let counterBase: [Int]
    private(set) var draft = TransactionDraft()

    init(directory: StoreDirectory, catalog: ProductCatalog, start: Int64) {
        self.directory = directory
        let receiptsBefore = Int(max(0, (start - POSGeneratorConfig.defaultStart) / 1_000))
        self.catalog = catalog
        var base: [Int] = []
        var counters: [Int] = []
        for store in directory.stores {
            base.append(counters.count)
            counters += store.firstCounters.map { $0 + receiptsBefore }
        }
        self.counters = counters
        counterBase = base
    }

    // MARK: Valid transactions

    /// Fills `draft` with a new valid transaction at `eventTime`: a store by traffic
    /// share, one of its terminals, its next receipt number, a basket of SKUs from
    /// `skus`, how it is written. `itemCount` forces that many items of quantity 1 and
    /// no total mismatch.
    mutating func makeValidDraft<Source: SKUSource>(eventTime: Int64, itemCount: Int? = nil, skus: Source,
                                                    _ random: inout SeededRandom) {
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
            let sku = skus.drawSKU(store: draft.store, &random)
            let quantity = itemCount != nil ? 1 : Self.quantities[random.pick(weights: Self.quantityWeights)]
            draft.addItem(sku: sku, quantity: quantity, unitPrice: catalog.price(of: sku, in: draft.currency))
        }
        draft.writtenTotal = draft.total
        if itemCount == nil && random.int(below: 1000) < 20 { draft.writtenTotal = mismatchedTotal(&random) }
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

    /// A total that differs from the items' sum the ways tills get it wrong: a discount
    /// not itemized, a rounding slip, an item counted twice.
    private func mismatchedTotal(_ random: inout SeededRandom) -> Int64 {
        let total = draft.total
        switch random.pick(weights: Self.mismatchWeights) {
        case 0: return total - max(1, total / 10)
        case 1:
            let slip = Int64(random.int(in: 1 ... 5))
            return total > slip && random.int(below: 2) == 0 ? total - slip : total + slip
        default: return total + draft.unitPrices[random.int(below: draft.itemCount)]
        }
    }

    /// Appends `draft` in `format`, breaking the rule `fault` names (none for `.none`).
    func appendRecord(_ fault: RecordFault, format: InputFormat, to out: inout [UInt8]) {
        let store = directory.stores[draft.store]
        switch format {
        case .jsonLines: draft.appendJSON(store: store, fault: fault, to: &out)
        case .csv: draft.appendCSV(store: store, fault: fault, to: &out)
        }
    }

    // MARK: Invalid lines

    /// Appends a line of `format` that breaks one rule, by `kind` (without `\n`).
    mutating func appendInvalid<Source: SKUSource>(_ kind: POSInvalidKind, eventTime: Int64, format: InputFormat,
                                                   skus: Source, _ random: inout SeededRandom, to out: inout [UInt8]) {
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
            makeValidDraft(eventTime: eventTime, skus: skus, &random)
            let start = out.count
            appendRecord(.none, format: format, to: &out)
            out.removeLast(out.count - start - random.int(in: 1 ... out.count - start - 1))
            return
        case .tooManyItems:
            makeValidDraft(eventTime: eventTime, itemCount: 1001, skus: skus, &random)
            appendRecord(.none, format: format, to: &out)
            return
        case .wrongType:
            makeValidDraft(eventTime: eventTime, skus: skus, &random)
            // JSON only: in CSV every cell is text, and `badInteger` covers the integer columns.
            let fields: [RecordFault.Field] = [.txID, .storeID, .terminalID, .eventTime, .kind, .currency, .items,
                                                .sku, .qty, .unitPrice, .total, .payment]
            let field = fields[random.pick(weights: [4, 4, 4, 10, 6, 4, 8, 6, 20, 14, 10, 3])]
            fault = RecordFault(kind: .wrongType, field: field, item: random.int(below: draft.itemCount),
                                variant: random.int(below: 12))
            if field == .payment && draft.payment == nil { draft.payment = .card }
        case .missingField:
            makeValidDraft(eventTime: eventTime, skus: skus, &random)
            let fields: [RecordFault.Field] = format == .csv
                ? [.storeID, .terminalID, .eventTime, .currency, .total]
                : [.storeID, .terminalID, .eventTime, .currency, .items, .total, .sku, .qty, .unitPrice]
            fault = RecordFault(kind: .missing, field: fields[random.int(below: fields.count)],
                                item: random.int(below: draft.itemCount))
        case .zeroQuantity:
            makeValidDraft(eventTime: eventTime, skus: skus, &random)
            fault = RecordFault(kind: .zeroQuantity, field: .qty, item: random.int(below: draft.itemCount))
        case .unknownCurrency:
            makeValidDraft(eventTime: eventTime, skus: skus, &random)
            let codes = ["XYZ", "BTC", "RUB", "EUD"]
            fault = RecordFault(kind: .currencyCode, field: .currency, text: Array(codes[random.int(below: codes.count)].utf8))
        case .badMoney:
            makeValidDraft(eventTime: eventTime, skus: skus, &random)
            let onTotal = random.int(below: 3) == 0
            fault = RecordFault(kind: .excessMoneyDigits, field: onTotal ? .total : .unitPrice,
                                item: random.int(below: draft.itemCount))
        case .eventTimeOutOfRange:
            makeValidDraft(eventTime: eventTime, skus: skus, &random)
            let times: [Int64] = [946_684_799_999, 4_102_444_800_000, 0, 4_200_000_000_000]
            fault = RecordFault(kind: .eventTime, field: .eventTime, variant: random.int(below: 2),
                                value: times[random.int(below: times.count)])
        case .invalidUTF8:
            makeValidDraft(eventTime: eventTime, skus: skus, &random)
            let sequences: [[UInt8]] = [[0xFF], [0xC3, 0x28], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xE2, 0x82]]
            let bytes = sequences[random.int(below: sequences.count)]
            if format == .csv {
                fault = RecordFault(kind: .invalidUTF8, field: .terminalID, text: Array("t0".utf8) + bytes)
            } else {
                fault = RecordFault(kind: .invalidUTF8, field: .sku, item: random.int(below: draft.itemCount), text: bytes)
            }
        case .duplicateKey:
            makeValidDraft(eventTime: eventTime, skus: skus, &random)
            let fields: [RecordFault.Field] = [.storeID, .eventTime, .currency, .total, .qty]
            fault = RecordFault(kind: .duplicateKey, field: fields[random.int(below: fields.count)],
                                item: random.int(below: draft.itemCount))
        case .deepNesting:
            makeValidDraft(eventTime: eventTime, skus: skus, &random)
            fault = RecordFault(kind: .deepNesting, value: 100)
        case .oversizedLine:
            makeValidDraft(eventTime: eventTime, skus: skus, &random)
            fault = RecordFault(kind: .padding, value: Int64(LineReader.maxLineBytes + random.int(in: 1 ... 100_000)))
        case .wrongCellCount:
            makeValidDraft(eventTime: eventTime, skus: skus, &random)
            fault = RecordFault(kind: .cellCount, variant: random.int(below: 2))
        case .brokenQuoting:
            makeValidDraft(eventTime: eventTime, skus: skus, &random)
            fault = RecordFault(kind: .brokenQuote)
        case .badInteger:
            makeValidDraft(eventTime: eventTime, skus: skus, &random)
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
        appendRecord(fault, format: format, to: &out)
    }
}
