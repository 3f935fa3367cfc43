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

    /// Exactly once through a crash: a run stopped without warning some batches after a
    /// checkpoint (its rows since then published), then the same run again: every
    /// output subject holds `Tillflow-Seq` 1, 2, 3, ... once each, and its rows are the
    /// lines `replay edge` writes.
    @Test func aRunCutShortAndRunAgainPublishesEveryRowExactlyOnce() async throws {
        let directory = NSTemporaryDirectory() + "tillflow-live-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let input = try markedStream(in: directory, count: 3_000)
        let lines = [UInt8](FileManager.default.contents(atPath: input)!).split(separator: 10, omittingEmptySubsequences: false)
            .dropLast().map(Array.init)
        var fileSettings = RunSettings(outputDirectory: directory + "/file")
        fileSettings.backend = .memory
        try JobRun(job: RetailJob(.edge), inputs: [InputFile(path: input)], settings: fileSettings).run()

        let server = try NATSServer(); defer { server.stop() }
        let nc = try await NATSConnection.connect(NATSConnectionOptions(url: server.url))
        let js = JetStream(nc)
        var inConfig = StreamConfig(name: "TILLFLOW_IN", subjects: ["tillflow.in.>"])
        inConfig.duplicateWindow = 120_000_000_000
        _ = try await js.ensureStream(inConfig)
        var outConfig = StreamConfig(name: "TILLFLOW_OUT", subjects: ["tillflow.out.>", "tillflow.job.>"])
        // A duplicate window of 100 ms (the least): what keeps a row from being stored twice is the
        // output skipping what the stream holds, as after a downtime longer than 2 minutes.
        outConfig.duplicateWindow = 100_000_000
        outConfig.allowDirect = true
        _ = try await js.ensureStream(outConfig)
        for line in lines { _ = try await js.publish("tillflow.in.store-0001.pos", payload: line) }

        struct Crash: Error {}
        for attempt in 1 ... 2 {
            if attempt == 2 { try await Task.sleep(for: .milliseconds(300)) }  // past the duplicate window
            var settings = RunSettings(outputDirectory: directory + "/live")
            settings.backend = .rocksdb
            settings.checkpointIntervalMs = 7  // ticks: a checkpoint about every 6 batches
            let ticks = Ticks()
            settings.now = { ticks.next() }
            let consumer = try await JetStreamPullConsumer.start(js, stream: "TILLFLOW_IN", startSequence: 1, batch: 200)
            let run = JobRun(job: RetailJob(.edge), inputs: [], settings: settings)
            run.lineStream = LineStreamInput(name: "TILLFLOW_IN") {
                JetStreamLineSource(consumer: consumer, batchLines: 128, endAfter: UInt64(lines.count))
            }
            let opened = Opened()
            run.openOutput = { name, committed in
                let output = try JetStreamSubjectOutput(js: js, stream: "TILLFLOW_OUT",
                                                        subject: "tillflow.out.store-0001.\(name.dropLast(6))", committed: committed)
                opened.outputs.append((committed ?? 0, output.alreadyStored))
                return output
            }
            do {
                _ = try await onThreadOfItsOwn {
                    var batches = 0
                    return try run.run(afterBatch: { _ in
                        batches += 1
                        if attempt == 1 && batches == 10 { throw Crash() }
                    })
                }
                #expect(attempt == 2)
                // The crash came after rows past the last checkpoint were published: the
                // second run found them in the stream and skipped them.
                #expect(opened.outputs.contains { $0.storedWhenOpened > $0.committed }, "\(opened.outputs)")
            } catch is Crash {
                #expect(attempt == 1)
            }
            await consumer.stop()
        }

        for name in Self.outputs {
            let subject = "tillflow.out.store-0001.\(name.dropLast(6))"
            var expected = String(decoding: FileManager.default.contents(atPath: directory + "/file/" + name) ?? Data(), as: UTF8.self)
            if name == "invalid.jsonl" {
                expected = expected.replacingOccurrences(of: "\"source\":\"edge.jsonl:", with: "\"source\":\"TILLFLOW_IN:")
            }
            let rows = expected.split(separator: "\n").map(String.init)
            let reader = try await JetStreamPullConsumer.start(js, stream: "TILLFLOW_OUT", startSequence: 1,
                                                               filterSubjects: [subject], batch: 500)
            var got: [JetStreamMessage] = []
            let deadline = Date().addingTimeInterval(20)
            while got.count < rows.count && Date() < deadline {
                let more = try reader.poll()
                if more.isEmpty { try await Task.sleep(for: .milliseconds(5)) }
                got += more
            }
            try await Task.sleep(for: .milliseconds(200))
            got += try reader.poll()  // nothing more may come
            await reader.stop()
            #expect(got.map { $0.headers?["Tillflow-Seq"] } == (0 ..< rows.count).map { String($0 + 1) }, "\(subject)")
            #expect(got.map { String(decoding: $0.payload, as: UTF8.self) } == rows, "\(subject)")
        }
        await nc.close()
    }
}

/// What a run's outputs found when opened: the committed rows and the rows in the stream.
final class Opened: @unchecked Sendable {
    var outputs: [(committed: Int64, storedWhenOpened: Int64)] = []
}

/// A logical clock for checkpoint intervals: one tick per reading.
final class Ticks: @unchecked Sendable {
    var now: Int64 = 0
    func next() -> Int64 {
        now += 1
        return now
    }
}

/// Runs blocking work (a job run) on a thread of its own, not on one of the few threads
/// of Swift's cooperative pool, whose tasks (the NATS client's awaits) it would starve.
func onThreadOfItsOwn<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}
