/// Where the columns of the flat CSV form (spec section 1) stand in one file, as its
/// header line names them: `tx_id,store_id,terminal_id,event_time_ms,kind,currency,
/// total_minor,item_count` in any order, extra columns allowed and ignored. When a
/// name appears twice, its first column is the one read.
public struct CSVLayout: Sendable {
    /// The columns a transaction row is read from, in the order their rules are checked.
    public enum Column: Int, CaseIterable, Sendable {
        case txID, storeID, terminalID, eventTimeMs, kind, currency, itemCount, totalMinor

        public var name: String {
            switch self {
            case .txID: "tx_id"
            case .storeID: "store_id"
            case .terminalID: "terminal_id"
            case .eventTimeMs: "event_time_ms"
            case .kind: "kind"
            case .currency: "currency"
            case .itemCount: "item_count"
            case .totalMinor: "total_minor"
            }
        }
    }

    /// The number of cells the header has, and so every row must have.
    public let cellCount: Int
    /// For each cell of a row, the `Column` it holds (its raw value), or `ignored`.
    let columnOfCell: [UInt8]
    static let ignored = UInt8.max

    /// Parses a header line (without its `\n`; a trailing `\r` is dropped; the reader
    /// has already skipped a byte-order mark).
    /// - Throws: `CSVHeaderError` naming the missing columns, or the broken quoting.
    public init(header: UnsafeRawBufferPointer) throws {
        let line = CSVRow.droppingCarriageReturn(header)
        var columnOfCell: [UInt8] = []
        var found = Set<Column>()
        let count: Int
        do throws(CSVQuotingError) {
            count = try CSVRow.split(line) { _, cell in
                let name = CSVRow.string(cell, in: line)
                if let column = Column.allCases.first(where: { $0.name == name }), !found.contains(column) {
                    found.insert(column)
                    columnOfCell.append(UInt8(column.rawValue))
                } else {
                    columnOfCell.append(Self.ignored)
                }
            }
        } catch {
            throw CSVHeaderError(message: "malformed CSV header: \(error)")
        }
        let missing = Column.allCases.filter { !found.contains($0) }
        guard missing.isEmpty else {
            throw CSVHeaderError(message: "CSV header lacks the column\(missing.count == 1 ? "" : "s") "
                + missing.map(\.name).joined(separator: ", "))
        }
        self.cellCount = count
        self.columnOfCell = columnOfCell
    }

    /// The cell index of a column.
    public func cellIndex(of column: Column) -> Int {
        columnOfCell.firstIndex(of: UInt8(column.rawValue))!
    }
}

/// A CSV input whose header cannot be used: a one-line message for the command line.
public struct CSVHeaderError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(message: String) {
        self.message = message
    }

    public var description: String { message }
}
