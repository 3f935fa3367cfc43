import Dataflow
import Jobs

extension TransactionDraft {
    /// Appends the draft as a JSON line of spec section 1 (without `\n`), breaking the
    /// one rule `fault` names. Keys come in a fixed order:
    /// `tx_id, store_id, terminal_id, event_time, kind, currency, items, total, payment`,
    /// then extra fields.
    func appendJSON(store: StoreProfile, fault: RecordFault, to out: inout [UInt8]) {
        var object = JSONObjectState()
        out.append(UInt8(ascii: "{"))
        field(.txID, "tx_id", fault, &object, &out) { out in
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: store.txPrefixes[terminal])
            GeneratorText.appendPadded(counter, width: 6, to: &out)
            out.append(UInt8(ascii: "\""))
        }
        field(.storeID, "store_id", fault, &object, &out) { out in
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: store.id)
            out.append(UInt8(ascii: "\""))
        }
        field(.terminalID, "terminal_id", fault, &object, &out) { out in
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: store.terminalIDs[terminal])
            out.append(UInt8(ascii: "\""))
        }
        field(.eventTime, "event_time", fault, &object, &out) { out in
            if fault.kind == .eventTime {
                appendTime(fault.value, asString: fault.variant % 2 == 1, offsetMinutes: 0, to: &out)
            } else {
                appendTime(eventTime, asString: timeOffsetMinutes != nil, offsetMinutes: timeOffsetMinutes ?? 0, to: &out)
            }
        }
        if writesKind || (fault.kind != .none && fault.field == .kind) {
            field(.kind, "kind", fault, &object, &out) { out in
                JSONWriter.appendRaw(kind == .sale ? "\"sale\"" : "\"refund\"", to: &out)
            }
        }
        field(.currency, "currency", fault, &object, &out) { out in
            out.append(UInt8(ascii: "\""))
            if fault.kind == .currencyCode {
                out.append(contentsOf: fault.text)
            } else {
                JSONWriter.appendRaw(currency.codeText, to: &out)
            }
            out.append(UInt8(ascii: "\""))
        }
        field(.items, "items", fault, &object, &out) { out in
            out.append(UInt8(ascii: "["))
            for i in 0 ..< itemCount {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                appendItem(i, fault: fault, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        }
        field(.total, "total", fault, &object, &out) { out in
            let bad = fault.hits(.excessMoneyDigits, .total)
            GeneratorText.appendMoney(writtenTotal, digits: currency.minorDigits, style: bad ? .string : moneyStyle,
                                      extraDigit: bad, to: &out)
        }
        if let payment {
            field(.payment, "payment", fault, &object, &out) { out in
                switch payment {
                case .card: JSONWriter.appendRaw("\"card\"", to: &out)
                case .cash: JSONWriter.appendRaw("\"cash\"", to: &out)
                case .voucher: JSONWriter.appendRaw("\"voucher\"", to: &out)
                }
            }
        }
        if let loyaltyNumber {
            JSONWriter.appendRaw(",\"loyalty_id\":\"L", to: &out)
            GeneratorText.appendPadded(loyaltyNumber, width: 7, to: &out)
            out.append(UInt8(ascii: "\""))
        }
        switch fault.kind {
        case .deepNesting:
            JSONWriter.appendRaw(",\"meta\":", to: &out)
            out.append(contentsOf: repeatElement(UInt8(ascii: "["), count: Int(fault.value)))
            out.append(UInt8(ascii: "1"))
            out.append(contentsOf: repeatElement(UInt8(ascii: "]"), count: Int(fault.value)))
        case .padding:
            JSONWriter.appendRaw(",\"note\":\"", to: &out)
            out.append(contentsOf: repeatElement(UInt8(ascii: "x"), count: Int(fault.value)))
            out.append(UInt8(ascii: "\""))
        default:
            break
        }
        out.append(UInt8(ascii: "}"))
    }

    /// One element of `items`.
    private func appendItem(_ i: Int, fault: RecordFault, to out: inout [UInt8]) {
        var object = JSONObjectState()
        out.append(UInt8(ascii: "{"))
        field(.sku, "sku", item: i, fault, &object, &out) { out in
            out.append(UInt8(ascii: "\""))
            ProductCatalog.appendCode(of: skus[i], to: &out)
            if fault.kind == .invalidUTF8 && fault.item == i { out.append(contentsOf: fault.text) }
            out.append(UInt8(ascii: "\""))
        }
        field(.qty, "qty", item: i, fault, &object, &out) { out in
            JSONWriter.appendInt(fault.hits(.zeroQuantity, .qty, item: i) ? 0 : quantities[i], to: &out)
        }
        field(.unitPrice, "unit_price", item: i, fault, &object, &out) { out in
            let bad = fault.hits(.excessMoneyDigits, .unitPrice, item: i)
            GeneratorText.appendMoney(unitPrices[i], digits: currency.minorDigits, style: bad ? .string : moneyStyle,
                                      extraDigit: bad, to: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    /// Writes `"key":value`, unless the fault leaves the field out; twice when it
    /// repeats it; with a wrong value when it mistypes it. `item` is the item index of
    /// an item field, -1 for a top-level one.
    @inline(__always)
    private func field(_ f: RecordFault.Field, _ key: StaticString, item: Int = -1, _ fault: RecordFault,
                       _ object: inout JSONObjectState, _ out: inout [UInt8], _ value: (inout [UInt8]) -> Void) {
        let matches = fault.kind != .none && fault.field == f && (item < 0 || fault.item == item)
        if matches && fault.kind == .missing { return }
        let times = matches && fault.kind == .duplicateKey ? 2 : 1
        for _ in 0 ..< times {
            if object.hasFields { out.append(UInt8(ascii: ",")) }
            object.hasFields = true
            out.append(UInt8(ascii: "\""))
            JSONWriter.appendRaw(key, to: &out)
            out.append(UInt8(ascii: "\""))
            out.append(UInt8(ascii: ":"))
            if matches && fault.kind == .wrongType {
                appendWrongValue(for: f, item: item, variant: fault.variant, to: &out)
            } else {
                value(&out)
            }
        }
    }

    /// An event time as integer epoch ms, or as an RFC 3339 string.
    private func appendTime(_ millis: Int64, asString: Bool, offsetMinutes: Int, to out: inout [UInt8]) {
        if asString {
            out.append(UInt8(ascii: "\""))
            GeneratorText.appendRFC3339(millis, offsetMinutes: offsetMinutes, to: &out)
            out.append(UInt8(ascii: "\""))
        } else {
            JSONWriter.appendInt(millis, to: &out)
        }
    }

    /// A value of the wrong type or form for `field`; each is `bad_field` under spec section 1.
    private func appendWrongValue(for field: RecordFault.Field, item: Int, variant: Int, to out: inout [UInt8]) {
        func pick(_ choices: [StaticString]) { JSONWriter.appendRaw(choices[variant % choices.count], to: &out) }
        switch field {
        case .txID: JSONWriter.appendInt(counter, to: &out)
        case .storeID: JSONWriter.appendInt(store + 1, to: &out)
        case .terminalID: pick(["null", "3", "\"\""])
        case .eventTime:
            if variant % 3 == 0 {
                JSONWriter.appendInt(eventTime, to: &out)
                JSONWriter.appendRaw(".0", to: &out)
            } else {
                pick(["true", "\"yesterday\"", "\"2026-11-21 10:15:02Z\""])
            }
        case .kind: pick(["\"return\"", "1", "null"])
        case .currency: pick(["978", "null"])
        case .items: pick(["{}", "[]", "\"SKU-00001\""])
        case .sku: pick(["\"\"", "17", "null"])
        case .qty:
            switch variant % 3 {
            case 0: out.append(UInt8(ascii: "\"")); JSONWriter.appendInt(quantities[item], to: &out); out.append(UInt8(ascii: "\""))
            case 1: JSONWriter.appendInt(quantities[item], to: &out); JSONWriter.appendRaw(".0", to: &out)
            default: JSONWriter.appendRaw("-1", to: &out)
            }
        case .unitPrice: pick(["true", "\"-1.99\"", "\"1e2\"", "\" 1.99\""])
        case .total: pick(["null", "\"12,50\"", "-5"])
        case .payment: pick(["1", "[\"card\"]"])
        case .itemCount: JSONWriter.appendRaw("\"?\"", to: &out)
        }
    }
}

/// Whether a comma must precede the next field of a JSON object being written.
struct JSONObjectState {
    var hasFields = false
}
