@testable import Connectors
import Dataflow
import Foundation
import Jobs
import NATS
import NATSTestSupport
import Testing

/// One code path: the edge job reading `TILLFLOW_IN` through `JetStreamLineSource` writes
/// what `replay edge` writes for the same lines in the same order, byte for byte, but
/// for a dead letter's `source` (`TILLFLOW_IN:<sequence>` instead of `<file>:<line>`).
@Suite(.serialized, .timeLimit(.minutes(3))) struct LiveEdgeTests {
    @Test func theEdgeJobOverTheStreamWritesWhatReplayWritesOverTheFile() async throws {
        let f = try LiveFixture(count: 4_000); defer { f.remove() }
        let (directory, lines) = (f.directory, f.lines)
        try f.replay()

        let server = try NATSServer(); defer { server.stop() }
        let nc = try await NATSConnection.connect(NATSConnectionOptions(url: server.url))
        let js = JetStream(nc)
        _ = try await js.ensureStream(TillflowStreams.input)
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

        for name in LiveFixture.outputs {
            let expected = f.replayed(name)
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
        let f = try LiveFixture(count: 3_000); defer { f.remove() }
        let (directory, lines) = (f.directory, f.lines)
        try f.replay()

        let server = try NATSServer(); defer { server.stop() }
        let nc = try await NATSConnection.connect(NATSConnectionOptions(url: server.url))
        let js = JetStream(nc)
        _ = try await js.ensureStream(TillflowStreams.input)
        var outConfig = TillflowStreams.output
        // A duplicate window of 100 ms (the least): what keeps a row from being stored twice is the
        // output skipping what the stream holds, as after a downtime longer than 2 minutes.
        outConfig.duplicateWindow = 100_000_000
        _ = try await js.ensureStream(outConfig)
        for line in lines { _ = try await js.publish("tillflow.in.store-0001.pos", payload: line) }

        struct Crash: Error {}
        for attempt in 1 ... 2 {
            if attempt == 2 { try await Task.sleep(for: .milliseconds(300)) }  // past the duplicate window
            var settings = RunSettings(outputDirectory: directory + "/live")
            settings.backend = .rocksdb
            // A logical clock that moves one tick per batch, never while the run waits for
            // messages: the first checkpoint after the start falls after batch 8, and the
            // crash after batch 10 leaves two batches' rows published past it.
            settings.checkpointIntervalMs = 7
            let ticks = Ticks()
            settings.now = { ticks.now }
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
                        ticks.advance()
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

        for name in LiveFixture.outputs {
            try await LiveFixture.expectExactlyOnce(f.replayedRows(name), on: "tillflow.out.store-0001.\(name.dropLast(6))", in: js)
        }
        await nc.close()
    }
}

/// What a run's outputs found when opened: the committed rows and the rows in the stream.
final class Opened: @unchecked Sendable {
    var outputs: [(committed: Int64, storedWhenOpened: Int64)] = []
}

/// A logical clock for checkpoint intervals, moved by the test alone (the run reads it
/// and its pipeline's threads never write it).
final class Ticks: @unchecked Sendable {
    private let lock = NSLock()
    private var ticks: Int64 = 0
    var now: Int64 { lock.withLock { ticks } }
    func advance() { lock.withLock { ticks += 1 } }
}

/// Runs blocking work (a job run) on a thread of its own, not on one of the few threads
/// of Swift's cooperative pool, whose tasks (the NATS client's awaits) it would starve.
func onThreadOfItsOwn<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}

@Suite struct AcknowledgementSubjectTests {
    @Test func theRowIsTheLastTokenOfTheAcknowledgementsSubject() {
        #expect(JetStreamSubjectOutput.ordinal(ofAckSubject: "_INBOX.abc.ack.1f2e3d4c.42") == 42)
        #expect(JetStreamSubjectOutput.ordinal(ofAckSubject: "_INBOX.abc.ack.1f2e3d4c.9223372036854775807") == Int64.max)
        for bad in ["_INBOX.abc.ack.1f2e3d4c.", "_INBOX.abc.ack.1f2e3d4c.4x", "no-dot", "_INBOX.a.99999999999999999999"] {
            #expect(JetStreamSubjectOutput.ordinal(ofAckSubject: bad) == nil, "\(bad)")
        }
    }
}
