import Dataflow

/// What one line of the mixed inventory stream is.
public enum MixedLine: Sendable {
    /// A POS transaction line (the top-level object has a `tx_id` key, whatever its
    /// value; keys compare after unescaping): the caller decodes it with `TransactionDecoder`.
    case transaction
    case event(InventoryEvent)
    case rejected(Rejection)
}

/// Reads one line of the `inventory` job's input, a stream that mixes inventory
/// events and POS transactions (spec sections 0, 3 and 5): tells which one it is
/// and, for an inventory event, validates it into an `InventoryEvent` or the
/// `Rejection` that sends it to the dead letters.
///
/// The checks, in order, the first failure winning: `too_large`, `bad_encoding`,
/// `malformed_json`, `not_an_object` (for any line, transaction or not); then a line
/// with a top-level `tx_id` is a `.transaction`; otherwise `type`, then the fields of
/// that type in the order the spec's example lines list them.
///
/// Like `TransactionDecoder`, this reads the line in one validating pass that
/// records where the known members and the first `stackLines` reservation lines lie
/// (nothing allocated), then reads only the values it keeps: the strings and the
/// line array of the result are the only allocations. Reservation lines past the
/// first `stackLines` are found again by walking the (already checked) array.
public struct InventoryLineDecoder: Sendable {
    public init() {}

    /// Reservation lines whose tokens the scan records in a stack buffer.
    static let stackLines = 16

    /// One JSONL line. `origin.raw` holds the line's stored bytes, `fullLength` its real length.
    public func decode(origin: LineOrigin, fullLength: Int) -> MixedLine {
        guard fullLength <= TransactionRules.maxLineBytes else { return .rejected(TransactionRules.tooLarge(fullLength)) }
        let fieldCount = InventoryField.allCases.count
        let stride = InventoryRules.schema.elementSlots
        // The result is written in place: handing the event out through each closure
        // would copy it every time.
        var result = MixedLine.transaction
        origin.raw.withUnsafeBytes { bytes in
            withUnsafeTemporaryAllocation(of: JSONToken?.self, capacity: fieldCount + Self.stackLines * stride) { slots in
                let fields = UnsafeMutableBufferPointer(rebasing: slots[..<fieldCount])
                let lines = UnsafeMutableBufferPointer(rebasing: slots[fieldCount...])
                do throws(Rejection) {
                    guard let lineCount = try scan(bytes, fields: fields, lines: lines),
                          fields[InventoryField.txID.rawValue] == nil
                    else { return }
                    let reader = InventoryFieldReader(scanner: JSONScanner(bytes))
                    result = .event(try reader.event(fields: fields, lines: lines, lineCount: lineCount, origin: origin))
                } catch {
                    result = .rejected(error)
                }
            }
        }
        return result
    }

    /// The syntax checks (`bad_encoding`, `malformed_json`, `not_an_object`); records
    /// the members' and the reservation lines' tokens and returns the length of
    /// `lines` (0 when it is not an array), or `nil` for a transaction found only by
    /// the fallback of `isTransaction(_:)`.
    private func scan(_ bytes: UnsafeRawBufferPointer, fields: UnsafeMutableBufferPointer<JSONToken?>,
                      lines: UnsafeMutableBufferPointer<JSONToken?>) throws(Rejection) -> Int? {
        let summary: JSONScanner.Summary
        do throws(JSONSyntaxError) {
            summary = try JSONScanner(bytes).scan(schema: InventoryRules.schema, members: fields, elements: lines)
        } catch {
            // Invalid UTF-8 anywhere in the line outranks any JSON error (a line the
            // scanner accepts is valid UTF-8).
            if let offset = UTF8Validation.firstInvalidOffset(in: bytes) { throw TransactionRules.badEncoding(at: offset) }
            if case .duplicateKey = error.problem, Self.isTransaction(bytes) { return nil }
            throw Rejection(.malformedJSON, detail: error.description)
        }
        guard summary.root.kind == .object else {
            throw Rejection(.notAnObject, detail: "expected an object, found \(summary.root.kind)")
        }
        return summary.nestedArrayCount
    }

    /// Whether a line whose scan stopped at a repeated inventory name is a sound
    /// transaction line after all: names an inventory event knows (`type`, `qty`,
    /// `lines[].sku`...) are unknown to a transaction, and a transaction may repeat
    /// unknown names (spec section 0). True when the line is otherwise well-formed
    /// JSON, an object, and has a top-level `tx_id` (not repeated).
    private static func isTransaction(_ bytes: UnsafeRawBufferPointer) -> Bool {
        withUnsafeTemporaryAllocation(of: JSONToken?.self, capacity: 1) { member in
            guard let summary = try? JSONScanner(bytes).scan(schema: InventoryRules.transactionSchema, members: member)
            else { return false }
            return summary.root.kind == .object && member[0] != nil
        }
    }
}

/// Reads and checks the fields of an inventory event from a scanned line.
struct InventoryFieldReader {
    let scanner: JSONScanner

    /// The shared rules (identifiers, `event_time`) are read as for a transaction.
    private var common: JSONFieldReader { JSONFieldReader(scanner: scanner) }

    /// `type` first, then the type's fields in the order of the spec's example lines.
    func event(fields: UnsafeMutableBufferPointer<JSONToken?>, lines: UnsafeMutableBufferPointer<JSONToken?>,
               lineCount: Int, origin: LineOrigin) throws(Rejection) -> InventoryEvent {
        func field(_ f: InventoryField) -> JSONToken? { fields[f.rawValue] }
        let action: InventoryAction
        let location: String
        switch try type(field(.type)) {
        case .stockSet:
            let eventID = try identifier(field(.eventID), .eventID)
            location = try identifier(field(.location), .location)
            let sku = try identifier(field(.sku), .sku)
            let qty = try integer(field(.qty), FieldPath(InventoryField.qty.name), minimum: InventoryRules.minimumStock)
            action = .stockSet(eventID: eventID, sku: sku, qty: qty)
        case .stockAdjust:
            let eventID = try identifier(field(.eventID), .eventID)
            location = try identifier(field(.location), .location)
            let sku = try identifier(field(.sku), .sku)
            let delta = try integer(field(.delta), FieldPath(InventoryField.delta.name), minimum: .min)
            action = .stockAdjust(eventID: eventID, sku: sku, delta: delta)
        case .reserve:
            let reservationID = try identifier(field(.reservationID), .reservationID)
            let orderID = try identifier(field(.orderID), .orderID)
            location = try identifier(field(.location), .location)
            let reservationLines = try self.lines(field(.lines), count: lineCount, slots: lines)
            var ttl: Int64?
            if let token = field(.ttlMs) {
                ttl = try integer(token, FieldPath(InventoryField.ttlMs.name), minimum: InventoryRules.minimumTTL)
            }
            action = .reserve(reservationID: reservationID, orderID: orderID, lines: reservationLines, ttlMs: ttl)
        case .commit:
            let reservationID = try identifier(field(.reservationID), .reservationID)
            location = try identifier(field(.location), .location)
            action = .commit(reservationID: reservationID)
        case .release:
            let reservationID = try identifier(field(.reservationID), .reservationID)
            location = try identifier(field(.location), .location)
            action = .release(reservationID: reservationID)
        }
        let eventTime = try common.eventTime(field(.eventTime))
        // Section 0: a record whose sums would overflow a signed 64-bit integer is
        // `bad_field`; a reservation's expiry, `event_time + ttl_ms`, is such a sum.
        if case .reserve(_, _, _, let ttl?) = action, eventTime.addingReportingOverflow(ttl).overflow {
            throw .bad(InventoryField.ttlMs.name, "event_time + ttl_ms must fit a signed 64-bit integer")
        }
        return InventoryEvent(action: action, location: location, eventTime: eventTime, origin: origin)
    }

    /// `type`: one of the five names, case-sensitive.
    func type(_ token: JSONToken?) throws(Rejection) -> InventoryEventType {
        let name = InventoryField.type.name
        guard let token else { throw .missing(name) }
        let type = token.kind != .string ? nil : scanner.withStringBytes(token) { InventoryEventType(name: $0) }
        guard let type else { throw .bad(name, InventoryRules.typeDetail) }
        return type
    }

    /// Ids, `location`, `sku`: a string of 1...64 code points.
    @inline(__always)
    func identifier(_ token: JSONToken?, _ field: InventoryField) throws(Rejection) -> String {
        try common.identifier(token, FieldPath(field.name))
    }

    /// An integer literal (`2.0`, `1e2`, `"2"` are not) that fits `Int64` and is at least `minimum`.
    func integer(_ token: JSONToken?, _ path: FieldPath, minimum: Int64) throws(Rejection) -> Int64 {
        guard let token else { throw .missing(path.text) }
        let literal = scanner.integer(token)
        if let value = literal.value, value >= minimum { return value }
        let rule = InventoryRules.integerRule(minimum: minimum)
        let detail: String
        switch literal {
        case .value(let value): detail = "\(rule), found \(value)"
        case .overflow: detail = "\(rule) within the signed 64-bit range"
        case .notAnInteger:
            let text = scanner.text(of: token)
            detail = token.kind == .number && text.count <= 32
                ? "\(rule), found \(String(decoding: text, as: UTF8.self))"
                : "\(rule), found \(token.kind)"
        }
        throw .bad(path.text, detail)
    }

    /// `lines`: an array of at least one object, each with `sku` then `qty` (>= 1),
    /// checked line by line. Kept as written: repeated SKUs are not merged here.
    ///
    /// - Parameters:
    ///   - count: the array's length, which the scanner counted.
    ///   - slots: the tokens the scanner recorded for the first elements,
    ///     `schema.elementSlots` per element.
    func lines(_ token: JSONToken?, count: Int, slots: UnsafeMutableBufferPointer<JSONToken?>) throws(Rejection) -> [ReservationLine] {
        let name = InventoryField.lines.name
        guard let token else { throw .missing(name) }
        guard token.kind == .array, count >= 1 else { throw .bad(name, InventoryRules.linesDetail) }
        let stride = InventoryRules.schema.elementSlots
        let recorded = min(count, slots.count / stride)
        precondition(recorded >= 1, "the line buffer must hold at least one element")
        var result: [ReservationLine] = []
        result.reserveCapacity(count)
        for index in 0 ..< recorded {
            let base = index &* stride
            result.append(try line(index, element: slots[base]!,
                                   sku: slots[base &+ 1 &+ ReservationLineField.sku.rawValue],
                                   qty: slots[base &+ 1 &+ ReservationLineField.qty.rawValue]))
        }
        guard count > recorded else { return result }
        // The rest: walk the array from the end of the last recorded element.
        let keys = InventoryRules.schema.elementKeys
        var elements = JSONArrayElements(scanner: scanner, position: slots[(recorded &- 1) &* stride]!.end)
        var index = recorded
        while let element = elements.next() {
            var sku: JSONToken?
            var qty: JSONToken?
            if element.kind == .object {
                // The scan rejected a repeated `sku` or `qty`, so each is met at most once.
                for member in scanner.members(of: element) {
                    switch scanner.index(ofKey: member.key, in: keys) {
                    case ReservationLineField.sku.rawValue: sku = member.value
                    case ReservationLineField.qty.rawValue: qty = member.value
                    default: break
                    }
                }
            }
            result.append(try line(index, element: element, sku: sku, qty: qty))
            index &+= 1
        }
        return result
    }

    /// One element of `lines`: an object with `sku` and `qty`.
    @inline(__always)
    private func line(_ index: Int, element: JSONToken, sku: JSONToken?, qty: JSONToken?) throws(Rejection) -> ReservationLine {
        let array = InventoryField.lines.name
        guard element.kind == .object else {
            throw .bad("\(array)[\(index)]", "expected an object, found \(element.kind)")
        }
        let skuText = try common.identifier(sku, FieldPath(array: array, index: index, ReservationLineField.sku.name))
        let quantity = try integer(qty, FieldPath(array: array, index: index, ReservationLineField.qty.name),
                                   minimum: InventoryRules.minimumLineQuantity)
        return ReservationLine(sku: skuText, qty: quantity)
    }
}
