import Foundation
import NATS
import NATSTestSupport
import Testing

/// The hub's users by role (`deploy/nats/hub-users.conf`, included by `hub.conf`): a
/// job runs end to end with the workers' permissions alone, and a worker's user can
/// neither publish input or an edge node's rows nor delete a stream. In the stores'
/// suite, whose tests run one at a time: the hub from `hub.conf` is never started while
/// another test stops and restarts one on ports it chose (CI saw this test's connection
/// time out while they ran side by side).
extension StoresTests {
    @Test func theWorkersRoleRunsAJobAndCannotTouchInput() async throws {
        let s = try LocationStream(locations: 3, count: 1_500, maxLineBytes: 1_000_000, lastMark: T0 + 30 * 86_400_000); defer { s.remove() }
        var expected: [String: [String]] = [:]
        for location in s.locations {
            for (output, text) in try s.replayed(location) {
                expected["tillflow.job.cloud.\(location).\(output.dropLast(6))"] = text.split(separator: "\n").map(String.init)
            }
        }
        let files = s.directory + "/hub"
        try FileManager.default.createDirectory(atPath: files, withIntermediateDirectories: true)
        for name in ["hub.conf", "hub-users.conf", "hub-role-users.conf"] {
            try FileManager.default.copyItem(atPath: LiveFixture.root + "/deploy/nats/" + name, toPath: files + "/" + name)
        }
        try "include hub.conf\ninclude hub-users.conf\n".write(toFile: files + "/server.conf", atomically: true, encoding: .utf8)
        var passwords: [String: String] = [:]
        for role in ["pool", "admin", "ingest"] {
            passwords[role] = "\(role)-\(UInt64.random(in: 0 ... .max))"
            try passwords[role]!.write(toFile: "\(files)/\(role).password", atomically: true, encoding: .utf8)
        }
        let server = try NATSServer(configuration: files + "/server.conf", environment: [
            "TILLFLOW_HUB_DIR": files + "/js", "TILLFLOW_HUB_LEAF_LISTEN": "127.0.0.1:-1",
            "TILLFLOW_POOL_PASSWORD": passwords["pool"]!, "TILLFLOW_ADMIN_PASSWORD": passwords["admin"]!,
            "TILLFLOW_INGEST_PASSWORD": passwords["ingest"]!,
        ]); defer { server.stop() }
        func connect(_ role: String) async throws -> NATSConnection {
            var options = NATSConnectionOptions(url: server.url)
            (options.user, options.password) = (role, passwords[role])
            options.connectTimeout = .seconds(10)  // the other suites load both cores meanwhile
            for _ in 1 ..< 3 {
                if let connection = try? await NATSConnection.connect(options) { return connection }
            }
            return try await NATSConnection.connect(options)
        }
        func login(_ role: String) -> [String] { ["--nats", server.url, "--user", role, "--password-file", "\(files)/\(role).password"] }

        let submitted = await finished(try launch(["submit", "edge", "--name", "cloud", "--partitions", "2", "--checkpoint-interval", "300ms"]
            + login("admin")))
        #expect(submitted.status == 0, "\(submitted.stderr)")
        let ingest = try await connect("ingest")
        for start in stride(from: 1, to: s.lines.count + 1, by: 500) {
            _ = try await JetStream(ingest).publish((start ..< min(start + 500, s.lines.count + 1)).map {
                NATSRequest(s.subject($0), payload: s.lines[$0 - 1].bytes)
            })
        }
        let worker = try launch(["worker", "--state-dir", s.directory + "/worker", "--lease", "3s"] + login("pool"),
                                log: s.directory + "/worker.log")
        let admin = try await connect("admin")
        let js = JetStream(admin)
        let subjects = expected.keys.sorted()
        let deadline = Date().addingTimeInterval(120)
        while try await lastOrdinals(js, subjects) != subjects.map({ expected[$0]!.count }) && Date() < deadline {
            try await Task.sleep(for: .milliseconds(200))
        }
        kill(worker.processIdentifier, SIGTERM)
        #expect(await finished(worker).status == 0)
        let log = (try? String(contentsOfFile: s.directory + "/worker.log", encoding: .utf8)) ?? ""
        #expect(!log.contains("Permissions Violation"), "\(log)")
        for subject in subjects { try await LiveFixture.expectExactlyOnce(expected[subject]!, on: subject, in: js) }

        // The worker's user: no input, no edge rows, no deleting a stream.
        let pool = try await connect("pool")
        let asPool = JetStream(pool, timeout: .seconds(1))
        for subject in ["tillflow.in.store-0001.pos", "tillflow.out.store-0001.valid"] {
            await #expect(throws: NATSError.self) { try await asPool.publish(subject, payload: Array("{}".utf8)) }
            #expect(pool.lastServerError?.contains("Permissions Violation for Publish to \"\(subject)\"") == true)
        }
        await #expect(throws: (any Error).self) { try await asPool.deleteStream("TILLFLOW_IN") }
        #expect(try await js.streamInfo("TILLFLOW_IN").state.messages == UInt64(s.lines.count))
        for connection in [ingest, admin, pool] { await connection.close() }
    }
}
