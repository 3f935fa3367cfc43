import Connectors
import Dataflow
import Foundation
import Generators
import Jobs
import NATS
import NATSTestSupport
import Testing

/// One code path: the edge job reading `TILLFLOW_IN` through `JetStreamLineSource` writes
/// what `replay edge` writes for the same lines in the same order, byte for byte, but
/// for a dead letter's `source` (`TILLFLOW_IN:<sequence>` instead of `<file>:<line>`).
@Suite(.serialized, .timeLimit(.minutes(3))) struct LiveEdgeTests {
    static let outputs = ["valid.jsonl", "invalid.jsonl", "turnover.jsonl", "rollup.jsonl", "late.jsonl",
                          "decisions.jsonl", "alerts.jsonl", "availability.jsonl"]
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// A generated inventory stream with clock marks (`scripts/add-clock-marks.py`).
    func markedStream(in directory: String, count: Int) throws -> String {
        let plain = directory + "/plain.jsonl", marked = directory + "/edge.jsonl"
        _ = try InventoryGenerator.write(InventoryGeneratorConfig(locations: 5, skus: 40, count: count, seed: 3,
                                                                  invalidFraction: 0.02), to: plain)
        let script = Process()
        script.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        script.arguments = ["python3", Self.root + "/scripts/add-clock-marks.py", plain, marked, "--every", "40"]
        try script.run()
        script.waitUntilExit()
        #expect(script.terminationStatus == 0)
        return marked
    }

    @Test func theEdgeJobOverTheStreamWritesWhatReplayWritesOverTheFile() async throws {
        let directory = NSTemporaryDirectory() + "tillflow-live-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let input = try markedStream(in: directory, count: 4_000)
        // Bytes, not text: some generated lines are not UTF-8, and must reach the stream as they are.
        let lines = [UInt8](FileManager.default.contents(atPath: input)!).split(separator: 10, omittingEmptySubsequences: false)
            .dropLast().map(Array.init)

        var fileSettings = RunSettings(outputDirectory: directory + "/file")
        fileSettings.backend = .memory
        try JobRun(job: RetailJob(.edge), inputs: [InputFile(path: input)], settings: fileSettings).run()

        let server = try NATSServer(); defer { server.stop() }
        let nc = try await NATSConnection.connect(NATSConnectionOptions(url: server.url))
        let js = JetStream(nc)
        var config = StreamConfig(name: "TILLFLOW_IN", subjects: ["tillflow.in.>"])
        config.duplicateWindow = 120_000_000_000
        _ = try await js.ensureStream(config)
        for line in lines { try nc.publish("tillflow.in.store-0001.pos", payload: line) }
        try await nc.flush()
        let deadline = Date().addingTimeInterval(20)
        while try await js.streamInfo("TILLFLOW_IN").state.lastSeq < UInt64(lines.count) && Date() < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }

        var options = JobOptions()
        options.parallelism = 2
        var liveSettings = RunSettings(outputDirectory: directory + "/live")
        liveSettings.backend = .rocksdb
        let consumer = try await JetStreamPullConsumer.start(js, stream: "TILLFLOW_IN", startSequence: 1, batch: 300)
        let live = JobRun(job: RetailJob(.edge, options: options), inputs: [], settings: liveSettings)
        live.lineStream = LineStreamInput(name: "TILLFLOW_IN") {
            JetStreamLineSource(consumer: consumer, batchLines: 256, endAfter: UInt64(lines.count))
        }
        let report = try await onThreadOfItsOwn { try live.run() }
        let marks = lines.filter { line in line.withUnsafeBytes { ClockMark.time(ofLine: $0) != nil } }.count
        #expect(marks > 10 && report.statistics.recordsRead == Int64(lines.count - marks))

        for name in Self.outputs {
            var expected = FileManager.default.contents(atPath: directory + "/file/" + name) ?? Data()
            if name == "invalid.jsonl" {
                expected = Data(String(decoding: expected, as: UTF8.self)
                    .replacingOccurrences(of: "\"source\":\"edge.jsonl:", with: "\"source\":\"TILLFLOW_IN:").utf8)
            }
            let found = FileManager.default.contents(atPath: directory + "/live/" + name) ?? Data()
            #expect(found == expected, "\(name): \(found.count) bytes live, \(expected.count) from the file")
            if ["valid.jsonl", "invalid.jsonl", "turnover.jsonl", "decisions.jsonl", "availability.jsonl"].contains(name) {
                #expect(!found.isEmpty, "\(name) is empty")
            }
        }
        await consumer.stop()
        await nc.close()
    }
}

/// Runs blocking work (a job run) on a thread of its own, not on one of the few threads
/// of Swift's cooperative pool, whose tasks (the NATS client's awaits) it would starve.
func onThreadOfItsOwn<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}
