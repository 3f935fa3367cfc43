import Foundation
@testable import NATS
import NATSTestSupport
import Testing

/// A key-value bucket against a real nats-server: what jobs, manifests and leases need.
@Suite(.serialized, .timeLimit(.minutes(2))) struct KeyValueBucketTests {
    @Test func createUpdateAndDeleteByRevision() async throws {
        let server = try NATSServer(); defer { server.stop() }
        let nc = try await NATSConnection.connect(NATSConnectionOptions(url: server.url))
        let kv = try await KeyValueBucket.open(JetStream(nc), name: "TILLFLOW_TEST")
        #expect(try await kv.get("job.a") == nil)

        let first = try await kv.create("job.a", Array("one".utf8))
        await #expect(throws: KeyValueError.exists(key: "job.a")) { try await kv.create("job.a", Array("again".utf8)) }
        let second = try await kv.update("job.a", Array("two".utf8), revision: first)
        #expect(second > first)
        // A writer that read the first revision loses: the key has moved on.
        await #expect(throws: KeyValueError.wrongRevision(key: "job.a")) {
            try await kv.update("job.a", Array("stale".utf8), revision: first)
        }
        #expect(try await kv.get("job.a") == KeyValueEntry(key: "job.a", value: Array("two".utf8), revision: second, isDeleted: false))

        try await kv.put("job.b", Array("b".utf8))
        #expect(try await kv.keys() == ["job.a", "job.b"])
        try await kv.delete("job.a")
        #expect(try await kv.get("job.a") == nil)
        #expect(try await kv.entry("job.a")?.isDeleted == true)
        #expect(try await kv.keys() == ["job.b"])
        // A deleted key can be created again.
        let again = try await kv.create("job.a", Array("three".utf8))
        #expect(try await kv.get("job.a")?.value == Array("three".utf8) && again > second)
        await nc.close()
    }

    /// A value with a time to live is gone when no write renews it, and then can be
    /// created by another; renewed in time, it stays.
    @Test func aValueWithATimeToLiveLapsesUnlessRenewed() async throws {
        let server = try NATSServer(); defer { server.stop() }
        let nc = try await NATSConnection.connect(NATSConnectionOptions(url: server.url))
        let kv = try await KeyValueBucket.open(JetStream(nc), name: "TILLFLOW_LEASES_TEST", allowsTTL: true)
        // Renewed every 1.5 s, a value of 5 s outlives its time to live (6 s in all) even
        // when the other suites load the machine and delay a renewal by seconds; one of
        // 1 s, never renewed, is gone after them.
        var kept = try await kv.create("kept", Array("w1".utf8), ttl: .seconds(5))
        let lapsing = try await kv.create("lapsing", Array("w1".utf8), ttl: .seconds(1))
        for _ in 0 ..< 4 {
            try await Task.sleep(for: .milliseconds(1_500))
            kept = try await kv.update("kept", Array("w1".utf8), revision: kept, ttl: .seconds(5))
        }
        #expect(try await kv.get("kept")?.value == Array("w1".utf8))
        #expect(try await kv.get("lapsing") == nil)
        await #expect(throws: KeyValueError.wrongRevision(key: "lapsing")) {
            try await kv.update("lapsing", Array("w1".utf8), revision: lapsing, ttl: .seconds(1))
        }
        #expect(try await kv.create("lapsing", Array("w2".utf8), ttl: .seconds(1)) > lapsing)
        #expect(try await kv.get("lapsing")?.value == Array("w2".utf8))
        await nc.close()
    }

    @Test func aTimeToLiveIsWrittenInWholeSecondsRoundedUp() {
        #expect(KeyValueBucket.ttlText(.seconds(10)) == "10s")
        #expect(KeyValueBucket.ttlText(.milliseconds(1_500)) == "2s")
        #expect(KeyValueBucket.ttlText(.milliseconds(200)) == "1s")
    }
}
