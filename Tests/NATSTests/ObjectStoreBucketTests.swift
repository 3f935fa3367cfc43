import Foundation
@testable import NATS
import NATSTestSupport
import Testing

/// An object store bucket against a real nats-server: what a partition's checkpointed
/// state needs.
@Suite(.serialized, .timeLimit(.minutes(2))) struct ObjectStoreBucketTests {
    func bytes(_ count: Int, seed: UInt8) -> [UInt8] { (0 ..< count).map { UInt8(truncatingIfNeeded: $0 &* 31) &+ seed } }

    @Test func anObjectOfManyChunksComesBackAsPutAndAReplacementFreesTheOldChunks() async throws {
        let server = try NATSServer(); defer { server.stop() }
        let nc = try await NATSConnection.connect(NATSConnectionOptions(url: server.url))
        let store = try await ObjectStoreBucket.open(JetStream(nc), name: "TILLFLOW_TEST")
        #expect(try await store.get("job/p3/chk-1") == nil)

        let first = bytes(3 * ObjectStoreBucket.chunkSize + 17, seed: 1)
        let info = try await store.put("job/p3/chk-1", first)
        #expect(info.chunks == 4 && info.size == first.count)
        #expect(try await store.get("job/p3/chk-1") == first)
        try await store.put("empty", [])
        #expect(try await store.get("empty") == [])

        let second = bytes(ObjectStoreBucket.chunkSize / 2, seed: 9)
        try await store.put("job/p3/chk-1", second)
        #expect(try await store.get("job/p3/chk-1") == second)
        let stream = try await JetStream(nc).streamInfo(store.streamName)
        #expect(stream.state.messages == 3, "two descriptions and the new chunk (the empty object has none), the old chunks gone: \(stream.state)")
        #expect(try await store.list() == ["empty", "job/p3/chk-1"])

        try await store.delete("empty")
        #expect(try await store.get("empty") == nil)
        #expect(try await store.list() == ["job/p3/chk-1"])
        await nc.close()
    }

    /// A chunk lost from the stream is found out on reading, not returned as short bytes.
    @Test func aMissingChunkIsReportedAsCorrupt() async throws {
        let server = try NATSServer(); defer { server.stop() }
        let nc = try await NATSConnection.connect(NATSConnectionOptions(url: server.url))
        let js = JetStream(nc)
        let store = try await ObjectStoreBucket.open(js, name: "TILLFLOW_TEST")
        let info = try await store.put("state", bytes(2 * ObjectStoreBucket.chunkSize, seed: 3))
        struct Deleted: Decodable { var success: Bool }
        _ = try await js.call("STREAM.MSG.DELETE.\(store.streamName)", ["seq": 2], as: Deleted.self)
        await #expect(throws: ObjectStoreError.corrupt(object: "state", why: "chunk 2 of 2 is missing")) {
            _ = try await store.get("state")
        }
        #expect(info.chunks == 2)
        await nc.close()
    }
}
