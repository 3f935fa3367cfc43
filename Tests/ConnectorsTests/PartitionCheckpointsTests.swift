import CloudPool
import Foundation
@testable import NATS
import NATSTestSupport
import Testing

/// A partition's checkpoints in JetStream: the newest that reads whole is restored, a
/// corrupt or missing newest falls back to the one before (saying so), and a partition
/// whose checkpoints are all gone is an error, never a fresh start.
@Suite(.serialized, .timeLimit(.minutes(2))) struct PartitionCheckpointsTests {
    @Test func aCorruptNewestFallsBackToTheOneBeforeAndNoneReadingIsAnError() async throws {
        let server = try NATSServer(); defer { server.stop() }
        let nc = try await NATSConnection.connect(NATSConnectionOptions(url: server.url))
        let js = JetStream(nc)
        let checkpoints = try await PartitionCheckpoints.open(js)
        #expect(try await checkpoints.restore(job: "cloud", part: "3") { _ in } == nil)

        for (n, size) in [(1, 1_000), (2, 300_000), (3, 200_000)] {
            let archive = (0 ..< size).map { UInt8(truncatingIfNeeded: $0 &* n) }
            try await checkpoints.save(job: "cloud", part: "3", sequence: Int64(100 * n), archive: archive, locations: n,
                                       watermarks: nil, takenAtMs: Int64(n))
        }
        #expect(try await checkpoints.objects.get("cloud/3/1") == nil, "only the newest two are kept")
        let newest = try await checkpoints.restore(job: "cloud", part: "3") { _ in }
        #expect(newest?.sequence == 300 && newest?.archive.count == 200_000)

        // The newest object loses a chunk: the one before is restored, and that is said.
        let info = try await js.streamInfo(checkpoints.objects.streamName)
        struct Deleted: Decodable { var success: Bool }
        _ = try await js.call("STREAM.MSG.DELETE.\(checkpoints.objects.streamName)", ["seq": info.state.lastSeq - 1], as: Deleted.self)
        var warnings: [String] = []
        let fallback = try await checkpoints.restore(job: "cloud", part: "3") { warnings.append($0) }
        #expect(fallback?.sequence == 200 && fallback?.archive.count == 300_000)
        #expect(warnings.count == 1 && warnings[0].contains("cloud/3/3 cannot be read"), "\(warnings)")

        try await checkpoints.objects.delete("cloud/3/2")
        await #expect(throws: PartitionCheckpointError.self) { _ = try await checkpoints.restore(job: "cloud", part: "3") { _ in } }
        await nc.close()
    }
}
