import Foundation
import Testing
@testable import NATS
import NATSTestSupport

/// The JetStream API Tillflow uses, against a real nats-server with JetStream.
@Suite(.serialized, .timeLimit(.minutes(2))) struct JetStreamTests {
    func inputStream() -> StreamConfig {
        var config = StreamConfig(name: "TILLFLOW_IN", subjects: ["tillflow.in.>"])
        config.duplicateWindow = 120_000_000_000
        config.allowDirect = true
        return config
    }

    /// Plain publishes are stored a moment after the server has read them.
    func waitForLastSequence(_ sequence: UInt64, _ js: JetStream) async throws {
        let deadline = Date().addingTimeInterval(10)
        while try await js.streamInfo("TILLFLOW_IN").state.lastSeq < sequence && Date() < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(try await js.streamInfo("TILLFLOW_IN").state.lastSeq == sequence)
    }

    /// Polls until `count` messages have come or `seconds` passed.
    func read(_ reader: JetStreamPullConsumer, count: Int, seconds: Double = 10) async throws -> [JetStreamMessage] {
        var got: [JetStreamMessage] = []
        let deadline = Date().addingTimeInterval(seconds)
        while got.count < count && Date() < deadline {
            let batch = try reader.poll()
            if batch.isEmpty { try await Task.sleep(for: .milliseconds(5)) }
            got += batch
        }
        return got
    }

    @Test func aStreamIsCreatedOnceAndARepeatedMessageIDIsNotStoredTwice() async throws {
        let server = try NATSServer(); defer { server.stop() }
        let nc = try await NATSConnection.connect(NATSConnectionOptions(url: server.url))
        let js = JetStream(nc)
        let created = try await js.ensureStream(inputStream())
        #expect(created.state.messages == 0 && created.config.duplicateWindow == 120_000_000_000)
        var changed = inputStream()
        changed.duplicateWindow = 1_000_000_000
        #expect(try await js.ensureStream(changed).config.duplicateWindow == 120_000_000_000)  // left as it is

        let headers = NATSHeaders([("Nats-Msg-Id", "tillflow.out.s1.valid:1"), ("Tillflow-Seq", "1")])
        let first = try await js.publish("tillflow.in.s1.pos", headers: headers, payload: Array("a".utf8))
        let again = try await js.publish("tillflow.in.s1.pos", headers: headers, payload: Array("a".utf8))
        #expect(first.seq == 1 && first.duplicate != true && again.duplicate == true && again.seq == 1)
        #expect(try await js.streamInfo("TILLFLOW_IN").state.messages == 1)
        await #expect(throws: JetStreamAPIError.self) { _ = try await js.streamInfo("NO_SUCH_STREAM") }
        await nc.close()
    }

    @Test func directGetReadsASubjectsLastMessageAndWalksItFromAnySequence() async throws {
        let server = try NATSServer(); defer { server.stop() }
        let nc = try await NATSConnection.connect(NATSConnectionOptions(url: server.url))
        let js = JetStream(nc)
        _ = try await js.ensureStream(inputStream())
        for i in 1 ... 5 {
            _ = try await js.publish("tillflow.in.s\(i % 2).pos", headers: NATSHeaders([("Tillflow-Seq", "\(i)")]),
                                     payload: Array("row \(i)".utf8))
        }
        let last = try await js.directGetLast(stream: "TILLFLOW_IN", subject: "tillflow.in.s1.pos")
        #expect(last.map { String(decoding: $0.payload, as: UTF8.self) } == "row 5")
        #expect(last?.headers?["Tillflow-Seq"] == "5" && last?.headers?["Nats-Sequence"] == "5")
        #expect(try await js.directGetLast(stream: "TILLFLOW_IN", subject: "tillflow.in.nobody.pos") == nil)
        // Walking one subject from the start: 1, 3, 5, then nothing.
        var walked: [String] = []
        var next: UInt64 = 1
        while let message = try await js.directGetNext(stream: "TILLFLOW_IN", subject: "tillflow.in.s1.pos", from: next) {
            walked.append(String(decoding: message.payload, as: UTF8.self))
            next = UInt64(message.headers?["Nats-Sequence"] ?? "")! + 1
        }
        #expect(walked == ["row 1", "row 3", "row 5"])
        await nc.close()
    }

    @Test func aPullConsumerReadsInSequenceOrderFromAnySequenceWithoutWaiting() async throws {
        let server = try NATSServer(); defer { server.stop() }
        let nc = try await NATSConnection.connect(NATSConnectionOptions(url: server.url))
        let js = JetStream(nc)
        _ = try await js.ensureStream(inputStream())
        for i in 1 ... 3000 { try nc.publish("tillflow.in.s\(i % 7).pos", payload: Array("\(i)".utf8)) }
        try await nc.flush()
        try await waitForLastSequence(3000, js)

        let all = try await JetStreamPullConsumer.start(js, stream: "TILLFLOW_IN", startSequence: 1, batch: 256)
        let got = try await read(all, count: 3000)
        #expect(got.map(\.streamSequence) == Array(1 ... 3000))
        let nowNs = UInt64(Date().timeIntervalSince1970 * 1e9)
        #expect(got.allSatisfy { $0.storedAtNanoseconds <= nowNs && nowNs - $0.storedAtNanoseconds < 60_000_000_000 })
        #expect(got.map { String(decoding: $0.payload, as: UTF8.self) } == (1 ... 3000).map(String.init))
        #expect(try all.poll().isEmpty)  // nothing more: an empty poll, at once

        try nc.publish("tillflow.in.s1.pos", payload: Array("3001".utf8))
        #expect(try await read(all, count: 1).map(\.streamSequence) == [3001])

        let tail = try await JetStreamPullConsumer.start(js, stream: "TILLFLOW_IN", startSequence: 2990)
        #expect(try await read(tail, count: 12).map(\.streamSequence) == Array(2990 ... 3001))
        await all.stop()
        await tail.stop()
        await nc.close()
    }

    /// A consumer deleted under the reader (as a server restart drops an ephemeral one)
    /// is made again at the next sequence: nothing lost, nothing twice.
    @Test func aConsumerDeletedUnderTheReaderIsMadeAgainWhereItStood() async throws {
        let server = try NATSServer(); defer { server.stop() }
        let nc = try await NATSConnection.connect(NATSConnectionOptions(url: server.url))
        let js = JetStream(nc)
        _ = try await js.ensureStream(inputStream())
        for i in 1 ... 500 { try nc.publish("tillflow.in.s1.pos", payload: Array("\(i)".utf8)) }
        try await nc.flush()
        try await waitForLastSequence(500, js)
        let reader = try await JetStreamPullConsumer.start(js, stream: "TILLFLOW_IN", startSequence: 1, batch: 100)
        var got = try await read(reader, count: 150)
        let name = reader.state.withLockedValue { $0.consumer }!
        try await js.deleteConsumer(stream: "TILLFLOW_IN", name: name)
        got += try await read(reader, count: 500 - got.count)
        #expect(got.map(\.streamSequence) == Array(1 ... 500))
        #expect(reader.state.withLockedValue { $0.consumer } != name)
        await reader.stop()
        await nc.close()
    }
}
