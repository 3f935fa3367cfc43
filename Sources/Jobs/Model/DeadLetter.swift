import Dataflow

/// Why an input record was sent to the dead letters (spec section 3).
public enum RejectReason: String, Sendable, CaseIterable, Hashable {
    case tooLarge = "too_large"
    case badEncoding = "bad_encoding"
    case malformedJSON = "malformed_json"
    case notAnObject = "not_an_object"
    case missingField = "missing_field"
    case badField = "bad_field"
    case unknownCurrency = "unknown_currency"
    case totalMismatch = "total_mismatch"
    case duplicate = "duplicate"
}

/// The verdict on a record that failed a rule: the first failing check, in spec order.
public struct Rejection: Sendable, Hashable, Error {
    public var reason: RejectReason
    /// The field's path (`items[1].qty`); `nil` for reasons found before any field is read.
    public var field: String?
    public var detail: String

    public init(_ reason: RejectReason, field: String? = nil, detail: String) {
        self.reason = reason
        self.field = field
        self.detail = detail
    }
}

/// A rejected input record, as written to `invalid.jsonl`.
public struct DeadLetter: Sendable {
    public var rejection: Rejection
    public var origin: LineOrigin

    public init(_ rejection: Rejection, origin: LineOrigin) {
        self.rejection = rejection
        self.origin = origin
    }
}

/// What validation does with a total that differs from the sum of its items.
public enum TotalMismatchPolicy: String, Sendable, CaseIterable {
    /// Use the computed sum, mark the record `corrected`, keep the written total.
    case correct
    /// Send the record to the dead letters as `total_mismatch`.
    case reject
}
