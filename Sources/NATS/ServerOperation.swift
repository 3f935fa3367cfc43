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
        let line = view[view.startIndex ..< lineEnd]
        let lineLength = lineEnd - view.startIndex + 2
        let verb = line.prefix(while: { $0 != 32 && $0 != 9 }).map { $0 | 0x20 }  // lower case
        switch verb {
        case Array("msg".utf8), Array("hmsg".utf8):
            let hasHeaders = verb.count == 4
            let fields = line.split(whereSeparator: { $0 == 32 || $0 == 9 }).dropFirst().map { String(decoding: $0, as: UTF8.self) }
            guard fields.count == (hasHeaders ? 4 : 3) || fields.count == (hasHeaders ? 5 : 4) else {
                throw .protocolViolation("a malformed \(hasHeaders ? "HMSG" : "MSG") line")
            }
            let withReply = fields.count == (hasHeaders ? 5 : 4)
            guard let sid = UInt64(fields[1]),
                  let total = Int(fields[fields.count - 1]), total >= 0,
                  let headerLength = hasHeaders ? Int(fields[fields.count - 2]) : 0, headerLength >= 0, headerLength <= total
            else { throw .protocolViolation("a malformed \(hasHeaders ? "HMSG" : "MSG") line") }
            guard view.count >= lineLength + total + 2 else { return nil }
            let bodyStart = view.startIndex + lineLength
            guard view[bodyStart + total] == 13, view[bodyStart + total + 1] == 10 else {
                throw .protocolViolation("a message body not followed by CRLF")
            }
            let headers = hasHeaders ? try NATSHeaders.decode(view[bodyStart ..< bodyStart + headerLength]) : nil
            let payload = Array(view[bodyStart + headerLength ..< bodyStart + total])
            buffer.moveReaderIndex(forwardBy: lineLength + total + 2)
            return .message(NATSMessage(subject: fields[0], replyTo: withReply ? fields[2] : nil, headers: headers,
                                        payload: payload), sid: sid)
        case Array("ping".utf8):
            buffer.moveReaderIndex(forwardBy: lineLength)
            return .ping
        case Array("pong".utf8):
            buffer.moveReaderIndex(forwardBy: lineLength)
            return .pong
        case Array("+ok".utf8):
            buffer.moveReaderIndex(forwardBy: lineLength)
            return .ok
        case Array("-err".utf8):
            let text = String(decoding: line.dropFirst(4), as: UTF8.self).trimmingCharacters(in: .whitespaces)
            buffer.moveReaderIndex(forwardBy: lineLength)
            return .error(text.count >= 2 && text.hasPrefix("'") && text.hasSuffix("'") ? String(text.dropFirst().dropLast()) : text)
        case Array("info".utf8):
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
