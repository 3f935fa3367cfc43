import Dataflow
@testable import Jobs

/// A line as the file source hands it over: all its bytes stored.
func origin(_ bytes: [UInt8], lineNumber: Int64 = 1) -> LineOrigin {
    LineOrigin(fileIndex: 0, lineNumber: lineNumber, raw: ArraySlice(bytes))
}

func origin(_ line: String, lineNumber: Int64 = 1) -> LineOrigin {
    origin(Array(line.utf8), lineNumber: lineNumber)
}

/// What validation decided about a line, in the terms a dead letter records.
struct Verdict: Error, Equatable, CustomStringConvertible {
    var reason: RejectReason?
    var field: String?

    static let accepted = Verdict(reason: nil, field: nil)

    static func rejected(_ reason: RejectReason, _ field: String? = nil) -> Verdict {
        Verdict(reason: reason, field: field)
    }

    var description: String { reason.map { "\($0.rawValue)\(field.map { " on \($0)" } ?? "")" } ?? "accepted" }
}

func verdict(_ result: Result<Transaction, Rejection>) -> Verdict {
    switch result {
    case .success: return .accepted
    case .failure(let r): return .rejected(r.reason, r.field)
    }
}

func decodeJSON(_ line: String, _ policy: TotalMismatchPolicy = .correct) -> Result<Transaction, Rejection> {
    TransactionDecoder(totalMismatch: policy).decodeJSON(origin: origin(line), fullLength: line.utf8.count)
}

func decodeJSON(bytes: [UInt8], _ policy: TotalMismatchPolicy = .correct) -> Result<Transaction, Rejection> {
    TransactionDecoder(totalMismatch: policy).decodeJSON(origin: origin(bytes), fullLength: bytes.count)
}

func jsonVerdict(_ line: String, _ policy: TotalMismatchPolicy = .correct) -> Verdict {
    verdict(decodeJSON(line, policy))
}

/// A POS transaction line built from the spec's example (section 1), one member
/// replaced, removed or added at a time. Values are raw JSON text.
struct Record {
    var members: [(key: String, value: String)] = [
        ("tx_id", #""s0042-t03-000918""#),
        ("store_id", #""store-0042""#),
        ("terminal_id", #""t03""#),
        ("event_time", #""2026-11-21T10:15:02.120Z""#),
        ("kind", #""sale""#),
        ("currency", #""EUR""#),
        ("items", #"[{"sku":"SKU-00017","qty":2,"unit_price":"1.99"},{"sku":"SKU-00321","qty":1,"unit_price":12.5}]"#),
        ("total", #""16.48""#),
        ("payment", #""card""#),
    ]

    /// `value` replaces the member's value, `nil` removes it; an unknown key is appended.
    func with(_ key: String, _ value: String?) -> Record {
        var copy = self
        if let k = copy.members.firstIndex(where: { $0.key == key }) {
            if let value { copy.members[k].value = value } else { copy.members.remove(at: k) }
        } else if let value {
            copy.members.append((key, value))
        }
        return copy
    }

    /// One item `{"sku":...,"qty":...,"unit_price":...}` and a matching total.
    func withItems(_ items: String, total: String) -> Record {
        with("items", items).with("total", total)
    }

    var line: String { "{" + members.map { "\"\($0.key)\":\($0.value)" }.joined(separator: ",") + "}" }
}

func item(sku: String = #""SKU-1""#, qty: String = "1", price: String = #""1.00""#) -> String {
    #"{"sku":\#(sku),"qty":\#(qty),"unit_price":\#(price)}"#
}

extension Array where Element == UInt8 {
    var text: String { String(decoding: self, as: UTF8.self) }
}
