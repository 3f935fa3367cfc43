import Connectors
import LiveNode
import Foundation
import NATS
import NATSTestSupport
import Testing

/// `run edge --http`: the record ingest's replies, its 413, and the status endpoints,
/// through the binary against a real server, with curl as the client.
@Suite(.serialized, .timeLimit(.minutes(2))) struct HTTPIngestTests {
    /// A port free a moment ago on loopback.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        try withUnsafeMutablePointer(to: &address) { pointer in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                guard bind(fd, raw, length) == 0, getsockname(fd, raw, &length) == 0 else { throw POSIXError(.EADDRINUSE) }
            }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Sends a request with curl: the status and the body of the reply (off the
    /// cooperative pool, `offThePool`).
    static func http(_ method: String, _ url: String, body: [UInt8]? = nil, token: String? = nil) async throws -> (status: Int, body: String) {
        try await offThePool { try httpNow(method, url, body: body, token: token) }
    }

    static func httpNow(_ method: String, _ url: String, body: [UInt8]?, token: String?) throws -> (status: Int, body: String) {
        let directory = NSTemporaryDirectory() + "tillflow-http-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var arguments = ["-s", "-o", directory + "/reply", "-w", "%{http_code}", "-X", method, url]
        if let body {
            _ = FileManager.default.createFile(atPath: directory + "/body", contents: Data(body))
            arguments += ["--data-binary", "@" + directory + "/body", "-H", "Content-Type: application/x-ndjson"]
        }
        if let token { arguments += ["-H", "Authorization: Bearer \(token)"] }
        let curl = Process()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        curl.arguments = arguments
        let out = Pipe()
        curl.standardOutput = out
        try curl.run()
        let code = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        curl.waitUntilExit()
        let reply = FileManager.default.contents(atPath: directory + "/reply") ?? Data()
        return (Int(code) ?? 0, String(decoding: reply, as: UTF8.self))
    }

    /// With a token configured, the ingest and the metrics want it; the probes do not.
    @Test func withATokenTheIngestAndTheMetricsWantItAndTheProbesDoNot() async throws {
        let server = try NATSServer(); defer { server.stop() }
        let directory = NSTemporaryDirectory() + "tillflow-token-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let token = "t0k-\(UInt64.random(in: 0 ... .max))"
        try (token + "\n").write(toFile: directory + "/token", atomically: true, encoding: .utf8)
        let (port, metricsPort) = (try Self.freePort(), try Self.freePort())
        let base = "http://127.0.0.1:\(port)"
        let node = try launch(["run", "edge", "--nats", server.url, "--node", "store-0001", "--state-dir", directory + "/state",
                               "--clock-interval", "0s", "--http", "\(port)", "--metrics", "\(metricsPort)",
                               "--http-token-file", directory + "/token"])
        defer { if node.isRunning { kill(node.processIdentifier, SIGKILL); node.waitUntilExit() } }
        let deadline = Date().addingTimeInterval(30)
        while (try? await Self.http("GET", base + "/ready"))?.status != 200 && Date() < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(try await Self.http("GET", base + "/health").status == 200)
        #expect(try await Self.http("GET", base + "/ready").status == 200)
        let line = Array(#"{"tx_id":"t-1","store_id":"store-0001"}"#.utf8) + [10]
        #expect(try await Self.http("POST", base + "/v1/records", body: line).status == 401)
        #expect(try await Self.http("POST", base + "/v1/records", body: line, token: token + "x").status == 403)
        #expect(try await Self.http("POST", base + "/v1/records", body: line, token: String(token.dropLast())).status == 403)
        #expect(try await Self.http("POST", base + "/v1/records", body: line, token: token).status == 202)
        for page in [base + "/", base + "/status.json"] {
            #expect(try await Self.http("GET", page).status == 401, "\(page)")
            #expect(try await Self.http("GET", page, token: "not-\(token)").status == 403, "\(page)")
            #expect(try await Self.http("GET", page, token: token).status == 200, "\(page)")
        }
        for metrics in [base + "/metrics", "http://127.0.0.1:\(metricsPort)/metrics"] {
            #expect(try await Self.http("GET", metrics).status == 401)
            let scraped = try await Self.http("GET", metrics, token: token)
            #expect(scraped.status == 200 && scraped.body.contains("tillflow_records_in_total"), "\(metrics)")
        }
        let nc = try await NATSConnection.connect(NATSConnectionOptions(url: server.url))
        #expect(try await JetStream(nc).streamInfo("TILLFLOW_IN").state.messages == 1, "only the admitted body was published")
        await nc.close()
    }

    struct Receipt: Decodable, Equatable {
        var accepted: Int
        var first_seq: UInt64
        var last_seq: UInt64
    }

    @Test func theIngestPublishesEveryLineToItsLocationsSubjectAndRefusesOversizedBodies() async throws {
        let server = try NATSServer(); defer { server.stop() }
        let directory = NSTemporaryDirectory() + "tillflow-ingest-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let port = try Self.freePort()
        let base = "http://127.0.0.1:\(port)"
        let node = try launch(["run", "edge", "--nats", server.url, "--node", "store-0001",
                                              "--state-dir", directory, "--clock-interval", "0s", "--http", "127.0.0.1:\(port)"])
        defer { if node.isRunning { kill(node.processIdentifier, SIGKILL); node.waitUntilExit() } }
        let deadline = Date().addingTimeInterval(30)
        while (try? await Self.http("GET", base + "/ready"))?.status != 200 && Date() < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(try await Self.http("GET", base + "/health").status == 200)
        #expect(try await Self.http("GET", base + "/ready").status == 200)

        // Given a POS line, an inventory line, one of an unknown location and one that is no JSON:
        let lines = [
            #"{"tx_id":"t-1","store_id":"store-0001","terminal_id":"a","event_time":1795219200000,"currency":"EUR","items":[{"sku":"S","qty":1,"unit_price":"1.00"}],"total":"1.00"}"#,
            #"{"event_id":"e-1","location":"wh_1","sku":"S","kind":"stock_set","qty":5,"event_time":1795219200000}"#,
            #"{"tx_id":"t-2","store_id":"no such store!"}"#,
            "not json",
        ]
        let reply = try await Self.http("POST", base + "/v1/records", body: Array((lines.joined(separator: "\n") + "\n").utf8))
        #expect(reply.status == 202, "\(reply.body)")
        let receipt = try JSONDecoder().decode(Receipt.self, from: Data(reply.body.utf8))
        #expect(receipt.accepted == 4 && receipt.last_seq == receipt.first_seq + 3, "\(reply.body)")

        // then each is stored, as it was, on its location's subject, in the body's order.
        let nc = try await NATSConnection.connect(NATSConnectionOptions(url: server.url))
        let js = JetStream(nc)
        let expectedSubjects = ["tillflow.in.store-0001.pos", "tillflow.in.wh_1.inventory", "tillflow.in._.pos", "tillflow.in._.inventory"]
        for (i, subject) in expectedSubjects.enumerated() {
            let last = try await js.directGetLast(stream: "TILLFLOW_IN", subject: subject)
            #expect(last.map { String(decoding: $0.payload, as: UTF8.self) } == lines[i], "\(subject)")
            #expect(last?.headers?["Nats-Sequence"] == String(receipt.first_seq + UInt64(i)), "\(subject)")
        }

        // An empty body is one empty line: published, and the job dead-letters it.
        let empty = try await Self.http("POST", base + "/v1/records", body: [])
        #expect(empty.status == 202 && empty.body.contains(#""accepted":1"#), "\(empty.body)")

        // A body over 8 MiB is refused whole: 413, and nothing of it is stored.
        let before = try await js.streamInfo("TILLFLOW_IN").state.messages
        let line = Array(#"{"tx_id":"big","store_id":"store-0001"}"#.utf8) + [10]
        var big: [UInt8] = []
        while big.count <= 8 << 20 { big += line }
        let refused = try await Self.http("POST", base + "/v1/records", body: big)
        #expect(refused.status == 413)
        #expect(try await js.streamInfo("TILLFLOW_IN").state.messages == before)

        // The job has read the lines: the metrics say so, dead letters by reason included.
        var metrics = ""
        while !metrics.contains(#"tillflow_dead_letters_total{reason="malformed_json"} 2"#) && Date() < deadline {
            metrics = try await Self.http("GET", base + "/metrics").body
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(metrics.contains(#"tillflow_dead_letters_total{reason="malformed_json"} 2"#), "\(metrics)")
        #expect(metrics.contains("tillflow_records_in_total 5"), "\(metrics)")
        #expect(metrics.contains(#"tillflow_records_out_total{output="valid"} 1"#), "\(metrics)")
        #expect(metrics.contains("tillflow_publish_latency_seconds_bucket"), "\(metrics)")
        let lint = try Promtool.checkMetrics(metrics)
        #expect(lint.status == 0 && lint.output.isEmpty, "promtool check metrics: \(lint.output)")

        kill(node.processIdentifier, SIGTERM)
        node.waitUntilExit()
        #expect(node.terminationStatus == 0)
        await nc.close()
    }
}

/// A body's lines are cut as a file's: at each `\n`, a last `\n` ending the last line,
/// an empty body being one empty line.
@Suite struct IngestBodyLinesTests {
    @Test(arguments: [
        ("a\nb\n", ["a", "b"]),
        ("a\nb", ["a", "b"]),
        ("", [""]),
        ("\n", [""]),
        ("a\n\n", ["a", ""]),
        ("\n\na", ["", "", "a"]),
        ("a\r\n", ["a\r"]),
    ])
    func linesOfABody(body: String, lines: [String]) {
        #expect(RecordIngest.lines(of: Array(body.utf8)).map { String(decoding: $0, as: UTF8.self) } == lines)
    }
}
