import Foundation
import NIOCore

/// One thing the server sends, as the client protocol frames it.
enum ServerOperation: Sendable {
    case info(ServerInfo)
    /// A message for subscription `sid`.
    case message(NATSMessage, sid: UInt64)
    case ping
    case pong
    case ok
    case error(String)
}

/// Cuts the server's bytes into operations: a control line ending in `\r\n`, and for
/// `MSG`/`HMSG` a byte-counted body with its own `\r\n`. A frame split across reads
/// waits for the rest; nothing is consumed until a whole frame is there.
struct ServerOperationDecoder: ByteToMessageDecoder {
    typealias InboundOut = ServerOperation

    /// The longest control line taken (an `INFO` with many cluster URLs is a few KiB).
    static let maxControlLine = 1 << 20

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let operation = try Self.next(from: &buffer) else { return .needMoreData }
        context.fireChannelRead(wrapInboundOut(operation))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        try decode(context: context, buffer: &buffer)
    }

    /// The next whole operation at the front of `buffer` (consumed), or `nil` when it
    /// is not all there yet (nothing consumed).
    static func next(from buffer: inout ByteBuffer) throws(NATSError) -> ServerOperation? {
        let view = buffer.readableBytesView
        guard let lineEnd = Self.crlf(in: view) else {
            if view.count > maxControlLine { throw .protocolViolation("a control line longer than \(maxControlLine) bytes") }
            return nil
        }
        // Refused whether its end came in the same read or a later one.
        if lineEnd - view.startIndex > maxControlLine { throw .protocolViolation("a control line longer than \(maxControlLine) bytes") }
        let line = view[view.startIndex ..< lineEnd]
        let lineLength = lineEnd - view.startIndex + 2
        let verb = Self.verb(of: line)
        switch verb {
        case Self.msg, Self.hmsg:
            // MSG <subject> <sid> [reply] <size>, HMSG <subject> <sid> [reply] <hdr size> <size>:
            // cut without allocating (an acknowledgement per published row comes this way).
            let hasHeaders = verb == Self.hmsg
            var fields = (Range(uncheckedBounds: (0, 0)), Range(uncheckedBounds: (0, 0)), Range(uncheckedBounds: (0, 0)),
                          Range(uncheckedBounds: (0, 0)), Range(uncheckedBounds: (0, 0)))
            var count = 0
            var i = line.startIndex
            while i < line.endIndex, line[i] != 32, line[i] != 9 { i += 1 }  // the verb
            while i < line.endIndex {
                while i < line.endIndex, line[i] == 32 || line[i] == 9 { i += 1 }
                guard i < line.endIndex else { break }
                let start = i
                while i < line.endIndex, line[i] != 32, line[i] != 9 { i += 1 }
                switch count {
                case 0: fields.0 = start ..< i
                case 1: fields.1 = start ..< i
                case 2: fields.2 = start ..< i
                case 3: fields.3 = start ..< i
                case 4: fields.4 = start ..< i
                default: throw .protocolViolation("a malformed \(hasHeaders ? "HMSG" : "MSG") line")
                }
                count += 1
            }
            let withReply = count == (hasHeaders ? 5 : 4)
            guard withReply || count == (hasHeaders ? 4 : 3) else { throw .protocolViolation("a malformed \(hasHeaders ? "HMSG" : "MSG") line") }
            let totalField = count == 5 ? fields.4 : count == 4 ? fields.3 : fields.2
            let headerField = !hasHeaders ? nil : count == 5 ? fields.3 : fields.2
            guard let sid = Self.number(view[fields.1]), let total = Self.number(view[totalField]).map(Int.init),
                  let headerLength = headerField.map({ Self.number(view[$0]).map(Int.init) }) ?? 0, headerLength <= total
            else { throw .protocolViolation("a malformed \(hasHeaders ? "HMSG" : "MSG") line") }
            guard view.count >= lineLength + total + 2 else { return nil }
            let bodyStart = view.startIndex + lineLength
            guard view[bodyStart + total] == 13, view[bodyStart + total + 1] == 10 else {
                throw .protocolViolation("a message body not followed by CRLF")
            }
            let headers = hasHeaders ? try NATSHeaders.decode(view[bodyStart ..< bodyStart + headerLength]) : nil
            let payload = Array(view[bodyStart + headerLength ..< bodyStart + total])
            let message = NATSMessage(subject: String(decoding: view[fields.0], as: UTF8.self),
                                      replyTo: withReply ? String(decoding: view[fields.2], as: UTF8.self) : nil,
                                      headers: headers, payload: payload)
            buffer.moveReaderIndex(forwardBy: lineLength + total + 2)
            return .message(message, sid: sid)
        case Self.ping:
            buffer.moveReaderIndex(forwardBy: lineLength)
            return .ping
        case Self.pong:
            buffer.moveReaderIndex(forwardBy: lineLength)
            return .pong
        case Self.ok:
            buffer.moveReaderIndex(forwardBy: lineLength)
            return .ok
        case Self.err:
            let text = String(decoding: line.dropFirst(4), as: UTF8.self).trimmingCharacters(in: .whitespaces)
            buffer.moveReaderIndex(forwardBy: lineLength)
            return .error(text.count >= 2 && text.hasPrefix("'") && text.hasSuffix("'") ? String(text.dropFirst().dropLast()) : text)
        case Self.info:
            let json = line.dropFirst(4).drop(while: { $0 == 32 || $0 == 9 })
            let info: ServerInfo
            do {
                info = try JSONDecoder().decode(ServerInfo.self, from: Data(json))
            } catch {
                throw .protocolViolation("an INFO that does not decode: \(error)")
            }
            buffer.moveReaderIndex(forwardBy: lineLength)
            return .info(info)
        default:
            throw .protocolViolation("an unknown operation '\(String(decoding: line.prefix(16), as: UTF8.self))'")
        }
    }

    /// A verb of up to four bytes, lower case, as a number (0 for a longer one).
    static func verb(of line: ByteBufferView.SubSequence) -> UInt32 {
        var code: UInt32 = 0
        var length = 0
        for byte in line {
            if byte == 32 || byte == 9 { break }
            length += 1
            if length > 4 { return 0 }
            code = code << 8 | UInt32(byte | 0x20)
        }
        return code
    }

    static func code(_ verb: StaticString) -> UInt32 { verb.withUTF8Buffer { $0.reduce(0) { $0 << 8 | UInt32($1) } } }
    static let msg = code("msg"), hmsg = code("hmsg"), ping = code("ping"), pong = code("pong"), ok = code("+ok"),
               err = code("-err"), info = code("info")

    /// A decimal number of up to 18 digits, or nil.
    static func number(_ digits: ByteBufferView.SubSequence) -> UInt64? {
        guard !digits.isEmpty, digits.count <= 18 else { return nil }
        var n: UInt64 = 0
        for digit in digits {
            guard digit >= 48, digit <= 57 else { return nil }
            n = n * 10 + UInt64(digit - 48)
        }
        return n
    }

    /// The index of the first `\r` of a `\r\n` in `view`.
    static func crlf(in view: ByteBufferView) -> Int? {
        var i = view.startIndex
        while let cr = view[i...].firstIndex(of: 13) {
            let next = cr + 1
            guard next < view.endIndex else { return nil }
            if view[next] == 10 { return cr }
            i = next
        }
        return nil
    }
}
