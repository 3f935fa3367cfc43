import Foundation
import Testing
@testable import NATS
import NATSTestSupport

/// The client against a real nats-server on loopback.
@Suite(.serialized, .timeLimit(.minutes(2))) struct NATSConnectionTests {
    @Test func publishedMessagesArriveInOrderWithTheirHeaders() async throws {
        let server = try NATSServer(); defer { server.stop() }
        let nc = try await NATSConnection.connect(NATSConnectionOptions(url: server.url))
        let sub = try nc.subscribe("tillflow.in.*.pos")
        try await nc.flush()
        for i in 1 ... 500 {
            try nc.publish("tillflow.in.s\(i % 3).pos", headers: i % 2 == 0 ? NATSHeaders([("Seq", "\(i)")]) : nil,
                           payload: Array("line \(i)".utf8))
        }
        try nc.publish("tillflow.in.s1.inventory", payload: Array("not for us".utf8))
        try await nc.flush()
        var got: [NATSMessage] = []
        while got.count < 500, let m = await sub.next() { got.append(m) }
        #expect(got.map { String(decoding: $0.payload, as: UTF8.self) } == (1 ... 500).map { "line \($0)" })
        #expect(got[1].headers?["seq"] == "2" && got[0].headers == nil && got[2].subject == "tillflow.in.s0.pos")
        #expect(sub.drain().isEmpty)
        await nc.close()
        #expect(await sub.next() == nil)
    }

    @Test func aRequestIsAnsweredAndOneNobodyServesFailsAtOnce() async throws {
        let server = try NATSServer(); defer { server.stop() }
        let nc = try await NATSConnection.connect(NATSConnectionOptions(url: server.url))
        let service = try nc.subscribe("echo")
        Task {
            while let m = await service.next() {
                try nc.publish(m.replyTo!, payload: Array("echo: ".utf8) + m.payload)
            }
        }
        try await nc.flush()
        let reply = try await nc.request("echo", payload: Array("hi".utf8))
        #expect(String(decoding: reply.payload, as: UTF8.self) == "echo: hi")
        let started = ContinuousClock.now
        await #expect(throws: NATSError.noResponders("nobody.home")) {
            _ = try await nc.request("nobody.home", timeout: .seconds(5))
        }
        #expect(ContinuousClock.now - started < .seconds(2))
        await nc.close()
    }

    @Test func aPayloadOverTheServersMaxPayloadIsRefusedBeforeSending() async throws {
        let config = NSTemporaryDirectory() + "tillflow-nats-\(UUID().uuidString).conf"
        try "max_payload: 4096\n".write(toFile: config, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: config) }
        let server = try NATSServer(extraArguments: ["-c", config]); defer { server.stop() }
        let nc = try await NATSConnection.connect(NATSConnectionOptions(url: server.url))
        #expect(nc.serverInfo?.maxPayload == 4096)
        #expect(throws: NATSError.payloadTooLarge(size: 5000, limit: 4096)) {
            try nc.publish("big", payload: [UInt8](repeating: 65, count: 5000))
        }
        try nc.publish("small", payload: [UInt8](repeating: 65, count: 4000))
        try await nc.flush()  // the connection is still up
        #expect(throws: NATSError.invalidSubject("a b")) { try nc.publish("a b", payload: [UInt8]()) }
        await nc.close()
    }

    @Test func noServerGivesAClearErrorNamingEachAddress() async throws {
        var options = NATSConnectionOptions(servers: ["nats://127.0.0.1:1", "127.0.0.1:2"])
        options.connectTimeout = .seconds(1)
        do {
            _ = try await NATSConnection.connect(options)
            Issue.record("connected to nothing")
        } catch let error as NATSError {
            #expect("\(error)".contains("127.0.0.1:1") && "\(error)".contains("127.0.0.1:2"))
        }
    }

    /// The server goes away and comes back on the same port: the client reconnects by
    /// itself, subscribes again, and what was published meanwhile arrives.
    @Test func afterTheServerRestartsTheClientReconnectsAndResubscribes() async throws {
        let server = try NATSServer()
        let port = server.port
        var options = NATSConnectionOptions(url: server.url)
        options.reconnectDelay = .milliseconds(20)
        options.maxReconnectDelay = .milliseconds(200)
        let nc = try await NATSConnection.connect(options)
        let sub = try nc.subscribe("x")
        try nc.publish("x", payload: Array("before".utf8))
        try await nc.flush()
        #expect(await sub.next()?.payload == Array("before".utf8))
        server.kill()
        var deadline = ContinuousClock.now + .seconds(20)
        while nc.isConnected && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        #expect(!nc.isConnected)  // noticed: a flush now would fail, as it should
        try nc.publish("x", payload: Array("meanwhile".utf8))  // kept, sent once reconnected
        let restarted = try NATSServer(port: port); defer { restarted.stop(); server.stop() }
        deadline = ContinuousClock.now + .seconds(20)
        while !nc.isConnected && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(nc.isConnected)
        try nc.publish("x", payload: Array("after".utf8))
        try await nc.flush()
        #expect(await sub.next()?.payload == Array("meanwhile".utf8))
        #expect(await sub.next()?.payload == Array("after".utf8))
        await nc.close()
    }
}

/// TLS through swift-nio-ssl against a server that requires it: the INFO comes in the
/// clear, then the client upgrades, verifying the server's certificate against the CA
/// it was given.
@Suite(.serialized, .timeLimit(.minutes(2))) struct NATSTLSTests {
    @Test func aServerRequiringTLSIsSpokenToOverTLSWhenItsCertificateVerifies() async throws {
        let certificates = try TestCertificates(); defer { certificates.remove() }
        let server = try NATSServer(extraArguments: certificates.serverArguments); defer { server.stop() }
        for url in ["tls://127.0.0.1:\(server.port)", server.url] {  // tls://, or nats:// and the INFO's tls_required
            var options = NATSConnectionOptions(url: url)
            options.tlsCAFile = certificates.caFile
            let nc = try await NATSConnection.connect(options)
            let js = JetStream(nc)
            _ = try await js.ensureStream(StreamConfig(name: "T", subjects: ["t.>"]))
            let ack = try await js.publish("t.1", payload: Array("over TLS".utf8))
            #expect(ack.stream == "T")
            await nc.close()
        }
    }

    @Test func aCertificateThatDoesNotVerifyOrAServerWithoutTLSFailsToConnect() async throws {
        let certificates = try TestCertificates(); defer { certificates.remove() }
        let tlsServer = try NATSServer(extraArguments: certificates.serverArguments); defer { tlsServer.stop() }
        var untrusting = NATSConnectionOptions(url: "tls://127.0.0.1:\(tlsServer.port)")
        untrusting.connectTimeout = .seconds(2)
        do {  // the system's trust roots do not know the test CA
            _ = try await NATSConnection.connect(untrusting)
            Issue.record("connected to a server whose certificate does not verify")
        } catch {
            #expect("\(error)".contains("certificate") || "\(error)".contains("CERTIFICATE"), "\(error)")
        }

        let plainServer = try NATSServer(); defer { plainServer.stop() }
        var wantsTLS = NATSConnectionOptions(url: "tls://127.0.0.1:\(plainServer.port)")
        wantsTLS.tlsCAFile = certificates.caFile
        do {
            _ = try await NATSConnection.connect(wantsTLS)
            Issue.record("connected in the clear to a server without TLS")
        } catch {
            #expect("\(error)".contains("does not offer TLS"), "\(error)")
        }
    }
}
