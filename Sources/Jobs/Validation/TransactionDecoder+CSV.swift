import Dataflow

extension TransactionDecoder {
    /// One CSV data row (header excluded) of a file whose header gave `layout`.
    ///
    /// Checks run in the order of spec section 0: `too_large`, `bad_encoding`, then the
    /// row's shape (wrong number of cells or broken quoting is `malformed_json`), then
    /// `tx_id`, `store_id`, `terminal_id`, `event_time_ms`, `kind`, `currency`,
    /// `item_count`, `total_minor`. An empty cell is an absent field; an empty `kind`
    /// is a sale. A row keeps no items, so there is no total check.
    public func decodeCSV(origin: LineOrigin, fullLength: Int, layout: CSVLayout) -> Result<Transaction, Rejection> {
        guard fullLength <= TransactionRules.maxLineBytes else { return .failure(TransactionRules.tooLarge(fullLength)) }
        return origin.raw.withUnsafeBytes { raw -> Result<Transaction, Rejection> in
            if let offset = UTF8Validation.firstInvalidOffset(in: raw) { return .failure(TransactionRules.badEncoding(at: offset)) }
            let line = CSVRow.droppingCarriageReturn(raw)
            return withUnsafeTemporaryAllocation(of: CSVCell.self, capacity: CSVLayout.Column.allCases.count) { cells in
                cells.initialize(repeating: .empty)
                do throws(Rejection) {
                    return .success(try readCSV(line, cells: cells, layout: layout, origin: origin))
                } catch {
                    return .failure(error)
                }
            }
        }
    }

    private func readCSV(_ line: UnsafeRawBufferPointer, cells: UnsafeMutableBufferPointer<CSVCell>, layout: CSVLayout,
                         origin: LineOrigin) throws(Rejection) -> Transaction {
        let count: Int
        do throws(CSVQuotingError) {
            count = try layout.columnOfCell.withUnsafeBufferPointer { (columnOfCell) throws(CSVQuotingError) -> Int in
                try CSVRow.split(line) { index, cell in
                    guard index < columnOfCell.count else { return }
                    let column = columnOfCell[index]
                    if column != CSVLayout.ignored { cells[Int(column)] = cell }
                }
            }
        } catch {
            throw Rejection(.malformedJSON, detail: error.description)
        }
        guard count == layout.cellCount else {
            throw Rejection(.malformedJSON, detail: "expected \(layout.cellCount) cells, found \(count)")
        }

        let reader = CSVFieldReader(line: line)
        func cell(_ column: CSVLayout.Column) -> CSVCell { cells[column.rawValue] }
        let txID = try reader.identifier(cell(.txID), .txID)
        let storeID = try reader.identifier(cell(.storeID), .storeID)
        let terminalID = try reader.identifier(cell(.terminalID), .terminalID)
        let eventTime = try reader.integer(cell(.eventTimeMs), .eventTimeMs, ClosedRange(TransactionRules.eventTimes),
                                           "must be an integer of epoch milliseconds in [2000-01-01T00:00:00Z, 2100-01-01T00:00:00Z)")
        let kind = try reader.kind(cell(.kind))
        let currency = try reader.currency(cell(.currency))
        let itemCount = try reader.integer(cell(.itemCount), .itemCount, 0 ... Int64.max, "must be an integer >= 0")
        let total = try reader.integer(cell(.totalMinor), .totalMinor, 0 ... Int64.max,
                                       "must be an integer >= 0 of minor units that fits a signed 64-bit integer")
        return Transaction(txID: txID, storeID: storeID, terminalID: terminalID, eventTime: eventTime, kind: kind,
                           currency: currency, items: [], itemCount: itemCount, totalMinor: total,
                           originalTotalMinor: nil, origin: origin)
    }
}

/// Reads and checks the cells of a CSV transaction row.
struct CSVFieldReader {
    let line: UnsafeRawBufferPointer

    func content(_ cell: CSVCell) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: line[cell.start ..< cell.end])
    }

    func identifier(_ cell: CSVCell, _ column: CSVLayout.Column) throws(Rejection) -> String {
        guard !cell.isEmpty else { throw .missing(column.name) }
        let text = CSVRow.string(cell, in: line)
        let bytes = cell.end &- cell.start
        let maxCount = TransactionRules.identifierLength.upperBound
        guard bytes <= maxCount || text.unicodeScalars.count <= maxCount else {
            throw .bad(column.name, TransactionRules.identifierDetail)
        }
        return text
    }

    /// An integer cell: ASCII digits with an optional leading `-`, within `range`.
    func integer(_ cell: CSVCell, _ column: CSVLayout.Column, _ range: ClosedRange<Int64>, _ detail: String) throws(Rejection) -> Int64 {
        guard !cell.isEmpty else { throw .missing(column.name) }
        guard let value = IntegerLiteral(content(cell)).value, range.contains(value) else { throw .bad(column.name, detail) }
        return value
    }

    func kind(_ cell: CSVCell) throws(Rejection) -> TransactionKind {
        guard !cell.isEmpty else { return .sale }
        guard let kind = TransactionKind(name: content(cell)) else { throw .bad(CSVLayout.Column.kind.name, TransactionRules.kindDetail) }
        return kind
    }

    func currency(_ cell: CSVCell) throws(Rejection) -> Currency {
        let name = CSVLayout.Column.currency.name
        guard !cell.isEmpty else { throw .missing(name) }
        guard let currency = Currency(code: content(cell)) else {
            throw TransactionRules.unknownCurrency(content(cell), field: name)
        }
        return currency
    }
}
