import NIOCore
import Testing
@testable import NATS

/// The client protocol's framing, byte by byte: what the server sends, cut anywhere.
@Suite struct ServerOperationDecoderTests {
    func operations(_ chunks: [String]) throws -> [ServerOperation] {
        var buffer = ByteBuffer()
        var found: [ServerOperation] = []
        for chunk in chunks {
            buffer.writeString(chunk)
            while let op = try ServerOperationDecoder.next(from: &buffer) { found.append(op) }
        }
        #expect(buffer.readableBytes == 0)
        return found
    }

    @Test func aMessageCutAtEveryByteComesOutWhole() throws {
        let block = "NATS/1.0\r\nNats-Msg-Id: x:1\r\nK: v\r\n\r\n"
        let wire = "MSG a.b 7 inbox.1 5\r\nhello\r\nHMSG c 8 \(block.utf8.count) \(block.utf8.count + 3)\r\n\(block)abc\r\nPING\r\n"
        let bytes = Array(wire)
        for cut in 1 ..< bytes.count {
            let ops = try operations([String(bytes[..<cut]), String(bytes[cut...])])
            #expect(ops.count == 3)
            guard ops.count == 3, case .message(let m1, let sid1) = ops[0], case .message(let m2, let sid2) = ops[1],
                  case .ping = ops[2] else { Issue.record("cut at \(cut): \(ops)"); return }
            #expect(m1.subject == "a.b" && sid1 == 7 && m1.replyTo == "inbox.1" && m1.payload == Array("hello".utf8))
            #expect(m2.subject == "c" && sid2 == 8 && m2.replyTo == nil && m2.payload == Array("abc".utf8))
            #expect(m2.headers?["nats-msg-id"] == "x:1" && m2.headers?["K"] == "v")
        }
    }

    @Test func fieldsMaySitBetweenSeveralSpacesOrTabs() throws {
        let ops = try operations(["MSG\ta.b  7\tinbox.1   5\r\nhello\r\n"])
        guard case .message(let m, let sid) = ops.first else { Issue.record("\(ops)"); return }
        #expect(m.subject == "a.b" && sid == 7 && m.replyTo == "inbox.1" && m.payload == Array("hello".utf8))
    }

    @Test func aStatusRidesOnTheHeaderLine() throws {
        let block = "NATS/1.0 503 No Responders\r\n\r\n"
        let ops = try operations(["HMSG _INBOX.x.1 3 \(block.utf8.count) \(block.utf8.count)\r\n\(block)\r\n"])
        guard case .message(let m, _) = ops.first else { Issue.record("\(ops)"); return }
        #expect(m.status == 503 && m.headers?.statusDescription == "No Responders" && m.payload.isEmpty)
    }

    @Test func infoErrAndCaseInsensitiveVerbs() throws {
        let ops = try operations(["INFO {\"server_id\":\"S\",\"version\":\"2.15.1\",\"max_payload\":1048576,\"headers\":true}\r\n",
                                  "-ERR 'Permissions Violation for Publish to \"x\"'\r\n", "pong\r\n", "+OK\r\n"])
        guard ops.count == 4, case .info(let info) = ops[0], case .error(let text) = ops[1], case .pong = ops[2],
              case .ok = ops[3] else { Issue.record("\(ops)"); return }
        #expect(info.maxPayload == 1_048_576 && info.version == "2.15.1")
        #expect(text == "Permissions Violation for Publish to \"x\"")
    }

    @Test func garbageIsAProtocolViolationNotACrash() {
        for wire in ["HELLO\r\n", "MSG a\r\n", "MSG a 1 x\r\n", "MSG a 1 3\r\nabcXY", "HMSG a 1 9 3\r\nabc\r\n", "INFO {\r\n",
                     "MSG a 1 r s 3\r\n", "MSG a -1 3\r\n", "MSG a 1 99999999999999999999\r\n", "PINGS\r\n", "HMSG a 1 3\r\n"] {
            var buffer = ByteBuffer(string: wire)
            #expect(throws: NATSError.self, "\(wire)") { _ = try ServerOperationDecoder.next(from: &buffer) }
        }
    }

    @Test func headersRoundTrip() throws {
        var h = NATSHeaders([("Nats-Msg-Id", "tillflow.out.s1.valid:7"), ("Tillflow-Seq", "7")])
        h.set("tillflow-seq", "8")
        var b = ByteBuffer()
        h.encode(into: &b)
        let back = try NATSHeaders.decode(b.readableBytesView)
        #expect(back == h && back["TILLFLOW-SEQ"] == "8" && back.fields.count == 2)
        #expect(h.encodedLength == b.readableBytes)
        var withStatus = NATSHeaders()
        withStatus.status = 503
        withStatus.statusDescription = "No Responders"
        var c = ByteBuffer()
        withStatus.encode(into: &c)
        #expect(withStatus.encodedLength == c.readableBytes)
        #expect(throws: NATSError.self) { try NATSHeaders([("Bad Name", "x")]).validate() }
        #expect(throws: NATSError.self) { try NATSHeaders([("K", "a\r\nb")]).validate() }
    }
}

/// A publish's answer, read once per message without a JSON decoder: stored (or a
/// duplicate) passes, any error throws with JetStream's own description.
@Suite struct PublishAnswerTests {
    @Test(arguments: [#"{"stream":"TILLFLOW_OUT","seq":12}"#, #"{"stream":"TILLFLOW_OUT","seq":12,"duplicate":true}"#,
                      #"{"stream":"TILLFLOW_OUT","domain":"store-1","seq":3}"#])
    func aStoredMessagesAnswerPasses(answer: String) throws {
        try JetStream.expectStored(Array(answer.utf8), of: "tillflow.out.n.valid")
    }

    @Test(arguments: [#"{"error":{"code":503,"err_code":10077,"description":"maximum messages exceeded"},"stream":"X","seq":0}"#,
                      #"{"stream":"X","error":{"code":400,"err_code":10071,"description":"wrong last sequence: 4"}}"#,
                      #"{"stream":"#, "", "nonsense"])
    func anyOtherAnswerThrows(answer: String) {
        #expect(throws: (any Error).self) { try JetStream.expectStored(Array(answer.utf8), of: "tillflow.out.n.valid") }
    }
}
