import Foundation
import LiveNode
import Logging
import NATSTestSupport
import Testing

/// `--log-format json`: every line a JSON object with time, level, logger and message,
/// the metadata as fields; and no secret in any line.
@Suite struct LogFormatTests {
    @Test func aWorkerLogsOneJSONObjectPerLineAndNeverItsPassword() throws {
        let secret = "s3cret-\(UInt32.random(in: 0 ... .max))"
        let server = try NATSServer(extraArguments: ["--user", "pool", "--pass", secret]); defer { server.stop() }
        let directory = NSTemporaryDirectory() + "tillflow-logs-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try (secret + "\n").write(toFile: directory + "/password", atomically: true, encoding: .utf8)
        let worker = try launch(["worker", "--nats", "nats://127.0.0.1:\(server.port)", "--user", "pool",
                                 "--password-file", directory + "/password", "--state-dir", directory + "/scratch",
                                 "--log-format", "json"], log: directory + "/worker.log")
        let deadline = Date().addingTimeInterval(20)
        func log() -> String { (try? String(contentsOfFile: directory + "/worker.log", encoding: .utf8)) ?? "" }
        while !log().contains("joined the pool") && Date() < deadline { usleep(50_000) }
        kill(worker.processIdentifier, SIGTERM)
        #expect(finishedNow(worker).status == 0)
        let lines = log().split(separator: "\n")
        #expect(lines.count >= 2)
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
            #expect(object["ts"] is String && object["level"] is String && object["message"] is String, "\(line)")
            #expect(!line.contains(secret))
        }
        let joined = try #require(lines.first { $0.contains("joined the pool") })
        let fields = try #require(try JSONSerialization.jsonObject(with: Data(joined.utf8)) as? [String: Any])
        #expect(fields["level"] as? String == "info" && fields["logger"] as? String == "tillflow.worker")
        #expect((fields["worker"] as? String)?.isEmpty == false, "the logger's metadata as a field: \(joined)")
    }

    @Test func quotesBackslashesAndControlCharactersAreEscaped() throws {
        var line = ""
        JSONLogHandler.appendQuoted("a \"quoted\" \\ path\nnext\u{1}", to: &line)
        #expect(line == #""a \"quoted\" \\ path\nnext\u0001""#)
        let decoded = try JSONSerialization.jsonObject(with: Data(line.utf8), options: .fragmentsAllowed) as? String
        #expect(decoded == "a \"quoted\" \\ path\nnext\u{1}")
    }
}
