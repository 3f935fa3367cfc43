import Dataflow

/// Turns one input line into a validated `Transaction` or the `Rejection` that
/// sends it to the dead letters, applying the rules of spec sections 0 and 1 in
/// their order: `too_large`, `bad_encoding`, `malformed_json`, `not_an_object`,
/// then the fields in table order, then `total_mismatch`. The first failure wins.
///
/// Duplicates are not judged here: that needs state, and belongs to the stateful
/// operator after this one.
///
/// Decoding is the hot path of every job: the line is read in one validating pass
/// that records where the fields and the items' fields lie, then only the values
/// kept are read; no Foundation, no floating point, no dictionary. The only
/// allocations are the strings and item array of the result (and, for a basket of
/// more than `stackItems` items, one buffer for their tokens).
public struct TransactionDecoder: Sendable {
    public var totalMismatch: TotalMismatchPolicy

    public init(totalMismatch: TotalMismatchPolicy) {
        self.totalMismatch = totalMismatch
    }

    /// Items whose tokens the first scan records in a stack buffer (under 1 KiB, so it
    /// never touches the heap); a larger basket is scanned again into a buffer sized
    /// for all of its items.
    static let stackItems = 16

    /// One JSONL line. `origin.raw` holds the line's stored bytes, `fullLength` its real length.
    public func decodeJSON(origin: LineOrigin, fullLength: Int) -> Result<Transaction, Rejection> {
        guard fullLength <= TransactionRules.maxLineBytes else { return .failure(TransactionRules.tooLarge(fullLength)) }
        let fieldCount = TransactionField.allCases.count
        let stride = TransactionRules.schema.elementSlots
        // The fields are written into `transaction` in place: handing a 160-byte
        // `Transaction` out through each closure would copy it every time.
        var transaction = Transaction(txID: "", storeID: "", terminalID: "", eventTime: 0, kind: .sale, currency: .EUR,
                                      items: [], itemCount: nil, totalMinor: 0, originalTotalMinor: nil, origin: origin)
        let rejection = origin.raw.withUnsafeBytes { bytes -> Rejection? in
            withUnsafeTemporaryAllocation(of: JSONToken?.self, capacity: fieldCount + Self.stackItems * stride) { slots in
                do throws(Rejection) {
                    let fields = UnsafeMutableBufferPointer(rebasing: slots[..<fieldCount])
                    let items = UnsafeMutableBufferPointer(rebasing: slots[fieldCount...])
                    let count = try scan(bytes, fields: fields, items: items)
                    guard count > Self.stackItems && count <= TransactionRules.itemCount.upperBound else {
                        try readJSON(bytes, fields: fields, items: items, itemCount: count, into: &transaction)
                        return nil
                    }
                    try withUnsafeTemporaryAllocation(of: JSONToken?.self, capacity: count * stride) {
                        (allItems) throws(Rejection) in
                        _ = try scan(bytes, fields: fields, items: allItems)
                        try readJSON(bytes, fields: fields, items: allItems, itemCount: count, into: &transaction)
                    }
                    return nil
                } catch {
                    return error
                }
            }
        }
        if let rejection { return .failure(rejection) }
        return .success(transaction)
    }

    /// The syntax checks (`bad_encoding`, `malformed_json`, `not_an_object`); records
    /// the fields' and items' tokens and returns the length of `items`.
    private func scan(_ bytes: UnsafeRawBufferPointer, fields: UnsafeMutableBufferPointer<JSONToken?>,
                      items: UnsafeMutableBufferPointer<JSONToken?>) throws(Rejection) -> Int {
        let summary: JSONScanner.Summary
        do throws(JSONSyntaxError) {
            summary = try JSONScanner(bytes).scan(schema: TransactionRules.schema, members: fields, elements: items)
        } catch {
            // Invalid UTF-8 anywhere in the line outranks any JSON error. (A line the
            // scanner accepts is valid UTF-8: it checks the bytes inside strings, and
            // outside them accepts ASCII only.)
            if let offset = UTF8Validation.firstInvalidOffset(in: bytes) { throw TransactionRules.badEncoding(at: offset) }
            throw Rejection(.malformedJSON, detail: error.description)
        }
        guard summary.root.kind == .object else {
            throw Rejection(.notAnObject, detail: "expected an object, found \(summary.root.kind)")
        }
        return summary.nestedArrayCount
    }

    /// The field checks, in table order, then the total check; fills in `tx` (whose
    /// origin is already set).
    private func readJSON(_ bytes: UnsafeRawBufferPointer, fields: UnsafeMutableBufferPointer<JSONToken?>,
                          items itemSlots: UnsafeMutableBufferPointer<JSONToken?>, itemCount: Int,
                          into tx: inout Transaction) throws(Rejection) {
        let reader = JSONFieldReader(scanner: JSONScanner(bytes))
        func field(_ f: TransactionField) -> JSONToken? { fields[f.rawValue] }
        tx.txID = try reader.identifier(field(.txID), FieldPath(.txID))
        tx.storeID = try reader.identifier(field(.storeID), FieldPath(.storeID))
        tx.terminalID = try reader.identifier(field(.terminalID), FieldPath(.terminalID))
        tx.eventTime = try reader.eventTime(field(.eventTime))
        tx.kind = try reader.kind(field(.kind))
        let currency = try reader.currency(field(.currency))
        tx.currency = currency
        let sum = try reader.items(field(.items), count: itemCount, slots: itemSlots, currency: currency, into: &tx.items)
        guard let totalToken = field(.total) else { throw .missing(TransactionField.total.name) }
        let total = try reader.money(totalToken, currency: currency, FieldPath(.total))
        if let payment = field(.payment), payment.kind != .string {
            throw .bad(TransactionField.payment.name, "must be a string")
        }

        tx.totalMinor = sum
        if total != sum {
            switch totalMismatch {
            case .correct:
                tx.originalTotalMinor = total
            case .reject:
                throw Rejection(.totalMismatch, field: TransactionField.total.name,
                                detail: "total \(total) differs from the sum of the items \(sum) (minor units)")
            }
        }
    }
}

/// A field's path in a dead letter (`store_id`, `items[3].qty`, `lines[0].sku`),
/// built only when a rejection needs it.
struct FieldPath {
    var name: String
    /// The index in `array` for an element's field, -1 for a top-level field.
    var item: Int
    /// The top-level array whose element holds the field (`items`, `lines`).
    var array: String

    init(_ field: TransactionField) {
        self.init(field.name)
    }

    init(item: Int, _ field: ItemField) {
        self.init(array: TransactionField.items.name, index: item, field.name)
    }

    /// A top-level field.
    init(_ name: String) {
        self.name = name
        item = -1
        array = ""
    }

    /// The field `name` of element `index` of the top-level array `array`.
    init(array: String, index: Int, _ name: String) {
        self.name = name
        item = index
        self.array = array
    }

    var text: String { item < 0 ? name : "\(array)[\(item)].\(name)" }
}

/// Reads and checks the values of a transaction from a scanned line.
struct JSONFieldReader {
    let scanner: JSONScanner

    /// `tx_id`, `store_id`, `terminal_id`, `sku`: a string of 1...64 code points.
    func identifier(_ token: JSONToken?, _ path: FieldPath) throws(Rejection) -> String {
        guard let token else { throw .missing(path.text) }
        guard token.kind == .string else { throw .bad(path.text, TransactionRules.identifierDetail) }
        if token.isEscaped {
            let s = scanner.string(token)
            guard TransactionRules.identifierLength.contains(s.unicodeScalars.count) else {
                throw .bad(path.text, TransactionRules.identifierDetail)
            }
            return s
        }
        let content = UnsafeRawBufferPointer(rebasing: scanner.bytes[token.start &+ 1 ..< token.end &- 1])
        let maxCount = TransactionRules.identifierLength.upperBound
        // At most one code point per byte: only a long string needs counting.
        guard !content.isEmpty,
              content.count <= maxCount || UTF8Validation.codePointCount(content) <= maxCount
        else { throw .bad(path.text, TransactionRules.identifierDetail) }
        return String(decoding: content, as: UTF8.self)
    }

    /// `event_time`: an RFC 3339 string or an integer literal of epoch ms, within range.
    func eventTime(_ token: JSONToken?) throws(Rejection) -> Int64 {
        let name = TransactionField.eventTime.name
        guard let token else { throw .missing(name) }
        let millis: Int64?
        switch token.kind {
        case .string: millis = scanner.withStringBytes(token, RFC3339.epochMilliseconds)
        case .number: millis = scanner.integer(token).value
        default: millis = nil
        }
        guard let millis else { throw .bad(name, TransactionRules.eventTimeDetail) }
        guard TransactionRules.eventTimes.contains(millis) else { throw .bad(name, TransactionRules.eventTimeRangeDetail) }
        return millis
    }

    /// `kind`: `"sale"` or `"refund"`; absent means a sale.
    func kind(_ token: JSONToken?) throws(Rejection) -> TransactionKind {
        guard let token else { return .sale }
        let kind: TransactionKind? = token.kind != .string ? nil : scanner.withStringBytes(token) { TransactionKind(name: $0) }
        guard let kind else { throw .bad(TransactionField.kind.name, TransactionRules.kindDetail) }
        return kind
    }

    /// `currency`: a code of the spec's table, case-sensitive.
    func currency(_ token: JSONToken?) throws(Rejection) -> Currency {
        let name = TransactionField.currency.name
        guard let token else { throw .missing(name) }
        guard token.kind == .string else { throw .bad(name, "must be a string") }
        let found = scanner.withStringBytes(token) { bytes -> Result<Currency, Rejection> in
            if let c = Currency(code: bytes) { return .success(c) }
            return .failure(TransactionRules.unknownCurrency(bytes, field: name))
        }
        return try found.get()
    }

    /// `unit_price` and `total`: an amount as a decimal string or a JSON number.
    func money(_ token: JSONToken, currency: Currency, _ path: FieldPath) throws(Rejection) -> Int64 {
        let reading: Money.Reading
        switch token.kind {
        case .string: reading = scanner.withStringBytes(token) { Money.read($0, minorDigits: currency.minorDigits) }
        case .number: reading = Money.read(scanner.text(of: token), minorDigits: currency.minorDigits)
        default: throw .bad(path.text, TransactionRules.moneyTypeDetail)
        }
        guard case .minorUnits(let amount) = reading else { throw .bad(path.text, Money.detail(reading, currency: currency)) }
        return amount
    }

    /// `items`: 1...1000 objects, each with `sku`, `qty`, `unit_price` (checked item by
    /// item, in that order), and the sum of `qty * unit_price`, which must fit `Int64`.
    ///
    /// - Parameters:
    ///   - count: the array's length, which the scanner counted.
    ///   - slots: the tokens the scanner recorded for the elements, `schema.elementSlots`
    ///     per element (all of them, when `count` is in 1...1000).
    func items(_ token: JSONToken?, count: Int, slots: UnsafeMutableBufferPointer<JSONToken?>,
               currency: Currency, into items: inout [LineItem]) throws(Rejection) -> Int64 {
        let name = TransactionField.items.name
        guard let token else { throw .missing(name) }
        guard token.kind == .array, TransactionRules.itemCount.contains(count) else {
            throw .bad(name, TransactionRules.itemsDetail)
        }
        let stride = TransactionRules.schema.elementSlots
        precondition(slots.count >= count * stride)
        items.reserveCapacity(count)
        var sum: Int64 = 0
        var overflow = false
        for index in 0 ..< count {
            let base = index &* stride
            guard let element = slots[base], element.kind == .object else {
                throw .bad("items[\(index)]", "expected an object, found \(slots[base]?.kind ?? .null)")
            }
            let sku = slots[base &+ 1 &+ ItemField.sku.rawValue]
            let qty = slots[base &+ 1 &+ ItemField.qty.rawValue]
            let price = slots[base &+ 1 &+ ItemField.unitPrice.rawValue]
            let skuText = try identifier(sku, FieldPath(item: index, .sku))
            guard let qty else { throw .missing(FieldPath(item: index, .qty).text) }
            guard let quantity = scanner.integer(qty).value, TransactionRules.quantity.contains(quantity) else {
                throw .bad(FieldPath(item: index, .qty).text, TransactionRules.quantityDetail)
            }
            guard let price else { throw .missing(FieldPath(item: index, .unitPrice).text) }
            let unitPrice = try money(price, currency: currency, FieldPath(item: index, .unitPrice))

            // Overflow is reported once every item has passed its own rules.
            let (amount, o1) = quantity.multipliedReportingOverflow(by: unitPrice)
            let (newSum, o2) = sum.addingReportingOverflow(amount)
            overflow = overflow || o1 || o2
            sum = newSum
            items.append(LineItem(sku: skuText, qty: quantity, unitPriceMinor: unitPrice))
        }
        if overflow { throw .bad(name, TransactionRules.sumOverflowDetail) }
        return sum
    }
}

extension TransactionKind {
    /// The kind named exactly by these bytes (`sale`, `refund`), if any.
    @inline(__always)
    init?(name bytes: UnsafeRawBufferPointer) {
        switch bytes.count {
        case 4 where UInt32(littleEndian: bytes.loadUnaligned(as: UInt32.self)) == 0x656C_6173:  // "sale"
            self = .sale
        case 6 where UInt32(littleEndian: bytes.loadUnaligned(as: UInt32.self)) == 0x7566_6572  // "refu"
            && UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 4, as: UInt16.self)) == 0x646E:  // "nd"
            self = .refund
        default:
            return nil
        }
    }
}
