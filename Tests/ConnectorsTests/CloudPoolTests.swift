import CloudPool
import Connectors
import Foundation
import Jobs
import NATS
import NATSTestSupport
import Testing

/// The cloud worker pool through the binaries against a real server (live.md section 4):
/// three workers, a submitted `edge` job, one worker killed with SIGKILL midway; every
/// location's output subjects then hold exactly what `replay edge` writes over that
/// location's lines alone, `Tillflow-Seq` 1..N each once.
@Suite(.serialized, .timeLimit(.minutes(6))) struct CloudPoolTests {
    @Test func aWorkerKilledMidwayLosesAndRepeatsNothingForAnyLocation() async throws {
        let s = try LocationStream(locations: 9, count: 6_000, maxLineBytes: 1_000_000,
                                   lastMark: T0 + 30 * 86_400_000); defer { s.remove() }
        #expect(s.locations.count >= 9, "\(s.locations)")
        var expected: [String: [String]] = [:]
        for location in s.locations {
            for (output, text) in try s.replayed(location) {
                expected["tillflow.job.cloud.\(location).\(output.dropLast(6))"] = text.split(separator: "\n").map(String.init)
            }
        }

        let server = try NATSServer(); defer { server.stop() }
        let nc = try await NATSConnection.connect(NATSConnectionOptions(url: server.url))
        let js = JetStream(nc)
        try await TillflowStreams.ensure(js)
        for start in stride(from: 1, through: s.lines.count, by: 500) {
            let batch = (start ..< min(start + 500, s.lines.count + 1)).map { NATSRequest(s.subject($0), payload: s.lines[$0 - 1].bytes) }
            _ = try await js.publish(batch)  // stored in order: sequence n is line n
        }

        var workers: [Process] = []
        for n in 1 ... 3 {
            workers.append(try launch(["worker", "--nats", server.url, "--state-dir", "\(s.directory)/worker-\(n)",
                                       "--lease", "3s", "--checkpoint-interval", "300ms"], log: "\(s.directory)/worker-\(n).log"))
        }
        let submitted = finished(try launch(["submit", "edge", "--nats", server.url, "--name", "cloud", "--partitions", "8"]))
        #expect(submitted.status == 0 && submitted.stdout.contains("handed to the pool"), "\(submitted.stderr)")

        let subjects = expected.keys.sorted()
        let targets = subjects.map { expected[$0]!.count }
        let deadline = Date().addingTimeInterval(150)
        while try await lastOrdinals(js, subjects).reduce(0, +) < targets.reduce(0, +) / 5 && Date() < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        kill(workers[0].processIdentifier, SIGKILL)
        workers[0].waitUntilExit()
        #expect(try await lastOrdinals(js, subjects) != targets, "the kill must come before the end of the input")

        while try await lastOrdinals(js, subjects) != targets && Date() < deadline {
            try await Task.sleep(for: .milliseconds(200))
        }
        for worker in workers.dropFirst() {
            kill(worker.processIdentifier, SIGTERM)
            let stopped = finished(worker)
            #expect(stopped.status == 0 && stopped.stdout.contains("handed back"), "\(stopped.stdout)")
        }
        let status = finished(try launch(["jobs", "status", "cloud", "--nats", server.url]))
        #expect(status.stdout.contains("partition 7: owner none"), "\(status.stdout)\(status.stderr)")
        for subject in subjects {
            try await LiveFixture.expectExactlyOnce(expected[subject]!, on: subject, in: js)
        }
        await nc.close()
    }
}
