import NIOCore

/// The header block of a NATS message (`HPUB`/`HMSG`): `NATS/1.0[ status[ description]]`,
/// then `Name: Value` lines, then a blank line.
///
/// Names keep the case they were written in; lookups ignore case, as the servers and the
/// official clients treat `Nats-Msg-Id` and `nats-msg-id` alike. A name may repeat.
public struct NATSHeaders: Sendable, Hashable {
    public struct Field: Sendable, Hashable {
        public var name: String
        public var value: String
    }

    public private(set) var fields: [Field] = []
    /// The status on the first line (`503` no responders, `100` heartbeat or flow
    /// control, `404`, `408`, `409` from pull consumers); `nil` when there is none.
    public var status: Int?
    public var statusDescription: String = ""

    public init() {}

    public init(_ fields: [(String, String)]) {
        for (name, value) in fields { append(name, value) }
    }

    public var isEmpty: Bool { fields.isEmpty && status == nil }

    /// The first value of `name`, case ignored.
    public subscript(name: String) -> String? {
        let lower = name.lowercased()
        return fields.first { $0.name.lowercased() == lower }?.value
    }

    /// Adds a value (another of the same name stays).
    public mutating func append(_ name: String, _ value: String) {
        fields.append(Field(name: name, value: value))
    }

    /// Replaces every value of `name` with `value`.
    public mutating func set(_ name: String, _ value: String) {
        let lower = name.lowercased()
        fields.removeAll { $0.name.lowercased() == lower }
        append(name, value)
    }

    /// Whether names and values can be written: no CR or LF anywhere, no `:` or space
    /// in a name, no empty name.
    func validate() throws(NATSError) {
        for field in fields {
            guard !field.name.isEmpty,
                  !field.name.utf8.contains(where: { $0 == 13 || $0 == 10 || $0 == 58 || $0 == 32 }),
                  !field.value.utf8.contains(where: { $0 == 13 || $0 == 10 })
            else { throw .invalidHeader(field.name) }
        }
    }

    /// The block as sent: `NATS/1.0\r\n`, the fields, `\r\n`.
    func encode(into buffer: inout ByteBuffer) {
        buffer.writeStaticString("NATS/1.0")
        if let status {
            buffer.writeString(" \(status)")
            if !statusDescription.isEmpty { buffer.writeString(" " + statusDescription) }
        }
        buffer.writeStaticString("\r\n")
        for field in fields {
            buffer.writeString(field.name)
            buffer.writeStaticString(": ")
            buffer.writeString(field.value)
            buffer.writeStaticString("\r\n")
        }
        buffer.writeStaticString("\r\n")
    }

    /// The bytes `encode(into:)` writes, counted without writing them.
    var encodedLength: Int {
        var length = 8 + 2 + 2  // NATS/1.0, its \r\n, the blank line
        if let status {
            length += 1 + String(status).utf8.count
            if !statusDescription.isEmpty { length += 1 + statusDescription.utf8.count }
        }
        for field in fields { length += field.name.utf8.count + 2 + field.value.utf8.count + 2 }
        return length
    }

    /// Reads a header block (its bytes, up to and including the blank line).
    static func decode(_ bytes: ByteBufferView) throws(NATSError) -> NATSHeaders {
        let text = String(decoding: bytes, as: UTF8.self)
        var lines = text.split(separator: "\r\n", omittingEmptySubsequences: false)[...]
        guard let first = lines.popFirst(), first.hasPrefix("NATS/1.0") else {
            throw .protocolViolation("a header block does not start with NATS/1.0")
        }
        var headers = NATSHeaders()
        let statusPart = first.dropFirst("NATS/1.0".count).drop(while: { $0 == " " })
        if !statusPart.isEmpty {
            let code = statusPart.prefix(while: { $0 != " " })
            guard let status = Int(code) else { throw .protocolViolation("a header status that is not a number: \(code)") }
            headers.status = status
            headers.statusDescription = String(statusPart.dropFirst(code.count).drop(while: { $0 == " " }))
        }
        for line in lines where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else {
                throw .protocolViolation("a header line without a colon: \(line)")
            }
            let value = line[line.index(after: colon)...].drop(while: { $0 == " " })
            headers.append(String(line[..<colon]), String(value))
        }
        return headers
    }
}
