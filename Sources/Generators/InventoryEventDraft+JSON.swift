import Dataflow
import Jobs

extension InventoryEventDraft {
    /// Appends the event as a JSON line of spec section 5 (without `\n`), breaking the one
    /// rule `fault` names. Keys come in the order of the spec's examples.
    func appendJSON(ids: [[UInt8]], fault: EventFault, to out: inout [UInt8]) {
        var object = JSONObjectState()
        out.append(UInt8(ascii: "{"))
        field(.type, "type", fault, &object, &out) { out in
            if fault.kind == .unknownType {
                let names: [StaticString] = ["\"stock_move\"", "\"adjust\"", "\"Reserve\"", "\"cancel\"", "\"\"", "\"stock-set\""]
                JSONWriter.appendRaw(names[fault.variant % names.count], to: &out)
                return
            }
            switch kind {
            case .stockSet: JSONWriter.appendRaw("\"stock_set\"", to: &out)
            case .stockAdjust: JSONWriter.appendRaw("\"stock_adjust\"", to: &out)
            case .reserve: JSONWriter.appendRaw("\"reserve\"", to: &out)
            case .commit: JSONWriter.appendRaw("\"commit\"", to: &out)
            case .release: JSONWriter.appendRaw("\"release\"", to: &out)
            }
        }
        switch kind {
        case .stockSet, .stockAdjust:
            field(.eventID, "event_id", fault, &object, &out) { out in
                JSONWriter.appendRaw("\"e", to: &out)
                GeneratorText.appendPadded(eventNumber, width: 6, to: &out)
                out.append(UInt8(ascii: "\""))
            }
            appendLocation(ids, fault, &object, &out)
            field(.sku, "sku", fault, &object, &out) { out in appendSKU(sku, to: &out) }
            if kind == .stockSet {
                field(.qty, "qty", fault, &object, &out) { out in JSONWriter.appendInt(quantity, to: &out) }
            } else {
                field(.delta, "delta", fault, &object, &out) { out in JSONWriter.appendInt(quantity, to: &out) }
            }
        case .reserve:
            appendReservationID(fault, &object, &out)
            field(.orderID, "order_id", fault, &object, &out) { out in
                JSONWriter.appendRaw("\"o-", to: &out)
                GeneratorText.appendPadded(orderNumber, width: 7, to: &out)
                out.append(UInt8(ascii: "\""))
            }
            appendLocation(ids, fault, &object, &out)
            field(.lines, "lines", fault, &object, &out) { out in
                out.append(UInt8(ascii: "["))
                for i in lineSKUs.indices {
                    if i > 0 { out.append(UInt8(ascii: ",")) }
                    var line = JSONObjectState()
                    out.append(UInt8(ascii: "{"))
                    field(.lineSKU, "sku", line: i, fault, &line, &out) { out in appendSKU(lineSKUs[i], to: &out) }
                    field(.lineQty, "qty", line: i, fault, &line, &out) { out in JSONWriter.appendInt(lineQuantities[i], to: &out) }
                    out.append(UInt8(ascii: "}"))
                }
                out.append(UInt8(ascii: "]"))
            }
            if let ttl {
                field(.ttl, "ttl_ms", fault, &object, &out) { out in JSONWriter.appendInt(ttl, to: &out) }
            }
        case .commit, .release:
            appendReservationID(fault, &object, &out)
            appendLocation(ids, fault, &object, &out)
        }
        field(.eventTime, "event_time", fault, &object, &out) { out in
            if let offset = timeOffsetMinutes {
                out.append(UInt8(ascii: "\""))
                GeneratorText.appendRFC3339(eventTime, offsetMinutes: offset, to: &out)
                out.append(UInt8(ascii: "\""))
            } else {
                JSONWriter.appendInt(eventTime, to: &out)
            }
        }
        out.append(UInt8(ascii: "}"))
    }

    private func appendLocation(_ ids: [[UInt8]], _ fault: EventFault, _ object: inout JSONObjectState, _ out: inout [UInt8]) {
        field(.location, "location", fault, &object, &out) { out in
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: ids[location])
            out.append(UInt8(ascii: "\""))
        }
    }

    private func appendReservationID(_ fault: EventFault, _ object: inout JSONObjectState, _ out: inout [UInt8]) {
        field(.reservationID, "reservation_id", fault, &object, &out) { out in
            JSONWriter.appendRaw("\"r-", to: &out)
            GeneratorText.appendPadded(reservationNumber, width: 6, to: &out)
            out.append(UInt8(ascii: "\""))
        }
    }

    private func appendSKU(_ sku: Int, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        ProductCatalog.appendCode(of: sku, to: &out)
        out.append(UInt8(ascii: "\""))
    }

    /// Writes `"key":value`, unless the fault leaves the field out; with a wrong value
    /// when it mistypes it. `line` is the reserve line of a line field, -1 otherwise.
    @inline(__always)
    private func field(_ f: EventFault.Field, _ key: StaticString, line: Int = -1, _ fault: EventFault,
                       _ object: inout JSONObjectState, _ out: inout [UInt8], _ value: (inout [UInt8]) -> Void) {
        let matches = fault.kind != nil && fault.field == f && (line < 0 || fault.line == line)
        if matches && fault.kind == .missingField { return }
        if object.hasFields { out.append(UInt8(ascii: ",")) }
        object.hasFields = true
        out.append(UInt8(ascii: "\""))
        JSONWriter.appendRaw(key, to: &out)
        out.append(UInt8(ascii: "\""))
        out.append(UInt8(ascii: ":"))
        if matches && fault.kind == .wrongType {
            appendWrongValue(for: f, variant: fault.variant, to: &out)
        } else {
            value(&out)
        }
    }

    /// A value of the wrong type or form for `field`; each is `bad_field` under spec section 5.
    private func appendWrongValue(for field: EventFault.Field, variant: Int, to out: inout [UInt8]) {
        func pick(_ choices: [StaticString]) { JSONWriter.appendRaw(choices[variant % choices.count], to: &out) }
        switch field {
        case .type: pick(["42", "null", "[\"reserve\"]"])
        case .eventID: pick(["17", "null", "\"\""])
        case .reservationID: pick(["77", "null", "\"\""])
        case .orderID: pick(["77", "false", "\"\""])
        case .location: pick(["42", "null", "\"\"", "[\"store-0001\"]"])
        case .sku, .lineSKU: pick(["17", "null", "\"\""])
        case .qty:
            switch variant % 4 {
            case 0: out.append(UInt8(ascii: "\"")); JSONWriter.appendInt(quantity, to: &out); out.append(UInt8(ascii: "\""))
            case 1: JSONWriter.appendInt(quantity, to: &out); JSONWriter.appendRaw(".0", to: &out)
            case 2: JSONWriter.appendRaw("true", to: &out)
            default: JSONWriter.appendRaw("1e2", to: &out)
            }
        case .delta:
            switch variant % 3 {
            case 0: out.append(UInt8(ascii: "\"")); JSONWriter.appendInt(quantity, to: &out); out.append(UInt8(ascii: "\""))
            case 1: JSONWriter.appendInt(quantity, to: &out); JSONWriter.appendRaw(".5", to: &out)
            default: JSONWriter.appendRaw("null", to: &out)
            }
        case .lines: pick(["{}", "\"SKU-00001\"", "null", "[1,2]"])
        case .lineQty: pick(["\"2\"", "2.0", "true", "null"])
        case .ttl: pick(["\"900000\"", "9e5", "900000.5", "null"])
        case .eventTime:
            if variant % 4 == 0 {
                JSONWriter.appendInt(eventTime, to: &out)
                JSONWriter.appendRaw(".0", to: &out)
            } else {
                pick(["true", "\"yesterday\"", "\"2026-11-21 10:15:02Z\"", "\"2026-11-21T10:15:02\""])
            }
        }
    }
}
