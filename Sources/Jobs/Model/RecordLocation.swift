/// The location a line belongs to, and the input subject it is published on (live.md
/// section 2): a POS transaction (a line whose top-level object has a `tx_id` member) is
/// its `store_id`'s, published to `tillflow.in.<loc>.pos`; any other line is an inventory
/// event of its `location`, published to `tillflow.in.<loc>.inventory`. A location that
/// is not a string forming a subject token (`[A-Za-z0-9_-]{1,64}`, escapes decoded),
/// and any line that is not a well-formed JSON object, belong to `_`.
///
/// Decided from the line's bytes alone, before any validation: a line whose record is
/// invalid still has a subject, and the job dead-letters it.
public struct RecordLocation: Sendable, Hashable {
    public var location: String
    public var isTransaction: Bool

    /// The location of lines that name none that can be a subject token.
    public static let unknown = "_"

    static let schema = JSONSchema(topLevel: JSONKeySet(["tx_id", "store_id", "location"]))

    public init(location: String, isTransaction: Bool) {
        self.location = location
        self.isTransaction = isTransaction
    }

    public init(ofLine bytes: UnsafeRawBufferPointer) {
        let found = withUnsafeTemporaryAllocation(of: JSONToken?.self, capacity: 3) { members -> (String, Bool)? in
            let scanner = JSONScanner(bytes)
            guard let summary = try? scanner.scan(schema: Self.schema, members: members),
                  summary.root.kind == .object else { return nil }
            let isTransaction = members[0] != nil
            guard let value = members[isTransaction ? 1 : 2], value.kind == .string else { return (Self.unknown, isTransaction) }
            let range = value.contentRange
            let name = value.isEscaped ? JSONUnescaping.unescaped(bytes, from: range.lowerBound, to: range.upperBound)
                : Array(bytes[range])
            return (Self.isSubjectToken(name) ? String(decoding: name, as: UTF8.self) : Self.unknown, isTransaction)
        }
        self.init(location: found?.0 ?? Self.unknown, isTransaction: found?.1 ?? false)
    }

    /// The input subject of the line: `tillflow.in.<loc>.pos` or `tillflow.in.<loc>.inventory`.
    public var subject: String { "tillflow.in.\(location).\(isTransaction ? "pos" : "inventory")" }

    /// `[A-Za-z0-9_-]{1,64}`: a name usable as it is in a subject.
    public static func isSubjectToken(_ name: some Collection<UInt8>) -> Bool {
        (1 ... 64).contains(name.count) && name.allSatisfy { byte in
            byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || (UInt8(ascii: "0") ... UInt8(ascii: "9")).contains(byte)
                || (UInt8(ascii: "A") ... UInt8(ascii: "Z")).contains(byte) || (UInt8(ascii: "a") ... UInt8(ascii: "z")).contains(byte)
        }
    }
}
