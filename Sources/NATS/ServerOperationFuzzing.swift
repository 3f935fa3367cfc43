import NIOCore

/// What must hold of the client's framing of server bytes, whatever they are (for the
/// `fuzz-nats-protocol` target and its corpus test): no crash; and the same operations,
/// or the same failure, whether the bytes come at once or cut into pieces anywhere (a
/// frame split across reads waits for the rest and is then read as if whole).
public enum ServerOperationFuzzing {
    public static func check(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        // The first byte chooses where the pieces are cut; the rest are the server's bytes.
        let step = Int(bytes[0] % 7) + 1
        let stream = Array(bytes.dropFirst())
        let whole = operations(of: [stream[...]])
        var pieces: [ArraySlice<UInt8>] = []
        var start = 0
        while start < stream.count {
            let end = min(stream.count, start + step + (pieces.count % 3))
            pieces.append(stream[start ..< end])
            start = end
        }
        let cut = operations(of: pieces)
        precondition(whole == cut, "framing depends on how the bytes were cut:\n\(whole)\n\(cut)")
    }

    /// The operations read, described, and the failure that ended the reading, if any.
    static func operations(of pieces: [ArraySlice<UInt8>]) -> [String] {
        var buffer = ByteBuffer()
        var read: [String] = []
        for piece in pieces {
            buffer.writeBytes(piece)
            do {
                while let operation = try ServerOperationDecoder.next(from: &buffer) { read.append(describe(operation)) }
            } catch {
                // A failure ends the connection: what came before it stands, nothing after.
                return read + ["failed: \(error)"]
            }
        }
        return read
    }

    static func describe(_ operation: ServerOperation) -> String {
        switch operation {
        case .info(let info): "info \(info.serverID) \(info.maxPayload)"
        case .message(let message, let sid):
            "msg \(sid) \(message.subject) \(message.replyTo ?? "-") \(message.headers.map { "\($0)" } ?? "-") \(message.payload)"
        case .ping: "ping"
        case .pong: "pong"
        case .ok: "ok"
        case .error(let text): "err \(text)"
        }
    }
}
