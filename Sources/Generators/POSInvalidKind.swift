import Dataflow
import Jobs

/// The kinds of broken line `POSGenerator` injects (`invalidFraction`), each breaking
/// exactly one rule of spec section 1, so that validation rejects it for
/// `expectedReason`.
public enum POSInvalidKind: String, Sendable, CaseIterable, Hashable, Comparable {
    /// A valid line cut short.
    case truncatedJSON = "truncated_json"
    /// JSON that is not an object: `[1,2]`, `42`, `null`, a string.
    case notAnObject = "not_an_object"
    /// A field of the wrong type or form: qty `"2"`, `store_id` 42, `items` `{}`...
    case wrongType = "wrong_type"
    /// A required field left out (never `tx_id`, which makes a record a transaction).
    case missingField = "missing_field"
    /// An item with qty 0.
    case zeroQuantity = "zero_quantity"
    /// A currency code outside the spec's table: `XYZ`, `BTC`, `RUB`.
    case unknownCurrency = "unknown_currency"
    /// An amount with more fractional digits than its currency has: `"1.995"` in EUR.
    case badMoney = "bad_money"
    /// An event time before 2000-01-01 or from 2100-01-01 on.
    case eventTimeOutOfRange = "event_time_out_of_range"
    /// An empty line.
    case emptyLine = "empty_line"
    /// Bytes that are not UTF-8 inside a string.
    case invalidUTF8 = "invalid_utf8"
    /// A known field written twice.
    case duplicateKey = "duplicate_key"
    /// 1001 items (at most 1000 are allowed).
    case tooManyItems = "too_many_items"
    /// An extra field nested 100 arrays deep (more than 64 levels is malformed).
    case deepNesting = "deep_nesting"
    /// A line over 1 MiB (an extra field with a huge string). Rare.
    case oversizedLine = "oversized_line"
    /// CSV: a row with one cell too few or too many.
    case wrongCellCount = "wrong_cell_count"
    /// CSV: a quoted cell whose quote never closes.
    case brokenQuoting = "broken_quoting"
    /// CSV: a cell that is not the integer its column needs (`12.50`, `two`, `-1`).
    case badInteger = "bad_integer"

    /// The dead-letter reason validation gives such a line.
    public var expectedReason: RejectReason {
        switch self {
        case .truncatedJSON, .emptyLine, .duplicateKey, .deepNesting, .wrongCellCount, .brokenQuoting: .malformedJSON
        case .notAnObject: .notAnObject
        case .wrongType, .zeroQuantity, .badMoney, .eventTimeOutOfRange, .tooManyItems, .badInteger: .badField
        case .missingField: .missingField
        case .unknownCurrency: .unknownCurrency
        case .invalidUTF8: .badEncoding
        case .oversizedLine: .tooLarge
        }
    }

    /// The kinds injected into a file of `format`, with their relative weights (per mille).
    static func weights(for format: InputFormat) -> [(kind: POSInvalidKind, weight: Int)] {
        switch format {
        case .jsonLines:
            [(.truncatedJSON, 140), (.notAnObject, 70), (.wrongType, 160), (.missingField, 140),
             (.zeroQuantity, 70), (.unknownCurrency, 80), (.badMoney, 90), (.eventTimeOutOfRange, 60),
             (.emptyLine, 50), (.invalidUTF8, 50), (.duplicateKey, 40), (.tooManyItems, 24),
             (.deepNesting, 24), (.oversizedLine, 2)]
        case .csv:
            [(.wrongCellCount, 200), (.brokenQuoting, 100), (.badInteger, 200), (.unknownCurrency, 150),
             (.missingField, 150), (.eventTimeOutOfRange, 80), (.emptyLine, 60), (.invalidUTF8, 60)]
        }
    }

    public static func < (a: POSInvalidKind, b: POSInvalidKind) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}
