import Connectors
import Dataflow
import Foundation
import Jobs
import NATS
import NATSTestSupport
import Testing

/// `tillflow run edge` through the binary against a real server: killed with SIGKILL at
/// random moments and started again, then stopped with SIGTERM, it has published on every
/// output subject exactly the rows `replay edge` writes for the same lines, `Tillflow-Seq`
/// 1..N each once.

/// Later than every generated event time.
let T0: Int64 = 1_795_219_200_000
@Suite(.serialized, .timeLimit(.minutes(4))) struct RunEdgeTests {
    static var binary: String {
        ProcessInfo.processInfo.environment["TILLFLOW_BIN"] ?? LiveEdgeTests.root + "/.build/debug/tillflow"
    }

    func launch(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = arguments
        process.standardOutput = Pipe()
        process.standardError = Pipe()
        try process.run()
        return process
    }

    /// The last ordinal on each subject, 0 for none.
    func lastOrdinals(_ js: JetStream, _ subjects: [String]) async throws -> [Int] {
        var found: [Int] = []
        for subject in subjects {
            let last = try await js.directGetLast(stream: "TILLFLOW_OUT", subject: subject)
            found.append(last.flatMap { $0.headers?["Tillflow-Seq"] }.flatMap { Int($0) } ?? 0)
        }
        return found
    }

    @Test func killedAtRandomAndStartedAgainItPublishesEveryRowOnce() async throws {
        let directory = NSTemporaryDirectory() + "tillflow-run-edge-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let input = try LiveEdgeTests().markedStream(in: directory, count: 3_000)
        // A live run has no end of input: a last mark, days ahead, fires and expires
        // everything the end of a replay would, in both.
        let end = FileHandle(forWritingAtPath: input)!
        end.seekToEndOfFile()
        end.write(Data("{\"clock\":\(T0 + 30 * 86_400_000)}\n".utf8))
        try end.close()
        let lines = [UInt8](FileManager.default.contents(atPath: input)!).split(separator: 10, omittingEmptySubsequences: false)
            .dropLast().map(Array.init)
        var fileSettings = RunSettings(outputDirectory: directory + "/file")
        fileSettings.backend = .memory
        try JobRun(job: RetailJob(.edge), inputs: [InputFile(path: input)], settings: fileSettings).run()
        var expected: [String: [String]] = [:]
        for name in LiveEdgeTests.outputs {
            var text = String(decoding: FileManager.default.contents(atPath: directory + "/file/" + name) ?? Data(), as: UTF8.self)
            if name == "invalid.jsonl" {
                text = text.replacingOccurrences(of: "\"source\":\"edge.jsonl:", with: "\"source\":\"TILLFLOW_IN:")
            }
            expected["tillflow.out.store-0001." + name.replacingOccurrences(of: ".jsonl", with: "")] =
                text.split(separator: "\n").map(String.init)
        }
        let subjects = expected.keys.sorted()

        let server = try NATSServer(); defer { server.stop() }
        let nc = try await NATSConnection.connect(NATSConnectionOptions(url: server.url))
        let js = JetStream(nc)
        var inConfig = StreamConfig(name: "TILLFLOW_IN", subjects: ["tillflow.in.>"])
        inConfig.duplicateWindow = 120_000_000_000
        _ = try await js.ensureStream(inConfig)
        for line in lines { _ = try await js.publish("tillflow.in.store-0001.pos", payload: line) }

        let arguments = ["run", "edge", "--nats", server.url, "--node", "store-0001", "--state-dir", directory + "/state",
                         "--clock-interval", "0s", "--checkpoint-interval", "100ms", "--batch-lines", "64", "--parallelism", "2"]
        var rng = SystemRandomNumberGenerator()
        for _ in 1 ... 4 {
            let node = try launch(arguments)
            try await Task.sleep(for: .milliseconds(Int.random(in: 300 ... 1_500, using: &rng)))
            kill(node.processIdentifier, SIGKILL)
            node.waitUntilExit()
        }
        let node = try launch(arguments)
        let targets = subjects.map { expected[$0]!.count }
        let deadline = Date().addingTimeInterval(90)
        while try await lastOrdinals(js, subjects) != targets && Date() < deadline && node.isRunning {
            try await Task.sleep(for: .milliseconds(100))
        }
        kill(node.processIdentifier, SIGTERM)
        node.waitUntilExit()
        let said = String(decoding: (node.standardOutput as! Pipe).fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let complained = String(decoding: (node.standardError as! Pipe).fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(node.terminationStatus == 0, "\(complained)")
        #expect(said.contains("stopped by SIGTERM"), "\(said)")

        for subject in subjects {
            let rows = expected[subject]!
            let reader = try await JetStreamPullConsumer.start(js, stream: "TILLFLOW_OUT", startSequence: 1,
                                                               filterSubjects: [subject], batch: 500)
            var got: [JetStreamMessage] = []
            let readBy = Date().addingTimeInterval(20)
            while got.count < rows.count && Date() < readBy {
                let more = try reader.poll()
                if more.isEmpty { try await Task.sleep(for: .milliseconds(5)) }
                got += more
            }
            try await Task.sleep(for: .milliseconds(200))
            got += try reader.poll()
            await reader.stop()
            #expect(got.map { $0.headers?["Tillflow-Seq"] } == (0 ..< rows.count).map { String($0 + 1) },
                    "\(subject): \(got.count) rows, \(rows.count) expected")
            #expect(got.map { String(decoding: $0.payload, as: UTF8.self) } == rows, "\(subject)")
            let texts = got.map { String(decoding: $0.payload, as: UTF8.self) }
            if texts != rows, let i = zip(texts, rows).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
                print("DIFF \(subject) at \(i): got \(texts[i].prefix(200)) expected \(rows[i].prefix(200)) counts \(texts.count)/\(rows.count)")
            }
        }
        await nc.close()
    }
}
