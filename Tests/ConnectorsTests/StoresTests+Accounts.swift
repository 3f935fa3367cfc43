import Connectors
import Foundation
import NATS
import NATSTestSupport
import Testing

/// An account per store at the hub (`tillflow stores accounts`, docs/SECURITY.md): the
/// hub sources every store's records once through the stores' own accounts, and a stolen
/// box's credentials reach neither the hub's streams nor another store's domain. In the
/// stores' suite, whose tests run one at a time.
extension StoresTests {
    @Test func withAnAccountPerStoreAStolenBoxReachesOnlyItsOwnRecords() async throws {
        let files = NSTemporaryDirectory() + "tillflow-accounts-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: files, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: files) }
        let deploy = LiveFixture.root + "/deploy/nats"
        for name in ["hub.conf", "hub-role-users.conf"] {
            try FileManager.default.copyItem(atPath: deploy + "/" + name, toPath: files + "/" + name)
        }
        let stores = ["store-0001", "store-0002"]
        let generated = await finished(try launch(["stores", "accounts"] + stores))
        #expect(generated.status == 0, "\(generated.stderr)")
        try generated.stdout.write(toFile: files + "/accounts.conf", atomically: true, encoding: .utf8)
        try "include hub.conf\ninclude accounts.conf\n".write(toFile: files + "/server.conf", atomically: true, encoding: .utf8)

        var environment = ["TILLFLOW_HUB_DIR": files + "/hub"]
        var passwords: [String: String] = [:]
        for user in ["pool", "admin", "ingest"] + stores {
            passwords[user] = "\(user)-\(UInt64.random(in: 0 ... .max))"
            try passwords[user]!.write(toFile: "\(files)/\(user).password", atomically: true, encoding: .utf8)
        }
        for role in ["pool", "admin", "ingest"] { environment["TILLFLOW_\(role.uppercased())_PASSWORD"] = passwords[role] }
        for store in stores { environment["TILLFLOW_LEAF_PASSWORD_" + store.uppercased().replacingOccurrences(of: "-", with: "_")] = passwords[store] }
        let probe = try NATSServer()  // a free port for the leaf connections
        let leafPort = probe.port
        probe.stop()
        environment["TILLFLOW_HUB_LEAF_LISTEN"] = "127.0.0.1:\(leafPort)"
        let hub = try NATSServer(configuration: files + "/server.conf", environment: environment); defer { hub.stop() }
        var servers: [NATSServer] = []
        defer { for server in servers { server.stop() } }
        for store in stores {
            servers.append(try NATSServer(configuration: deploy + "/store-leaf.conf", environment: [
                "TILLFLOW_STORE": store, "TILLFLOW_STORE_DIR": "\(files)/\(store)",
                "TILLFLOW_HUB_LEAF_URL": "nats-leaf://\(store):\(passwords[store]!)@127.0.0.1:\(leafPort)",
            ]))
        }
        func connect(_ url: String, as user: String? = nil) async throws -> NATSConnection {
            var options = NATSConnectionOptions(url: url)
            if let user { (options.user, options.password) = (user, passwords[user]) }
            options.connectTimeout = .seconds(15)  // the other suites load both cores meanwhile
            return try await NATSConnection.connect(options)
        }
        let admin = try await connect(hub.url, as: "admin")
        let atHub = JetStream(admin)
        var atStores: [JetStream] = []
        for server in servers {
            atStores.append(JetStream(try await connect(server.url)))
            try await TillflowStreams.ensure(atStores.last!)
        }
        let deadline = Date().addingTimeInterval(90)
        for store in stores {
            // The hub's account reaches each store's domain through the store's account.
            while (try? await JetStream(admin, domain: store, timeout: .seconds(1)).streamInfo("TILLFLOW_IN")) == nil && Date() < deadline {
                try await Task.sleep(for: .milliseconds(100))
            }
            let added = await finished(try launch(["stores", "add", store, "--nats", hub.url, "--user", "admin",
                                                   "--password-file", "\(files)/admin.password"]))
            #expect(added.status == 0 && added.stdout.contains("now sources \(store)"), "\(added.stdout)\(added.stderr)")
        }

        // Given 300 records at each store, and at each one record forged for the other store:
        for (n, js) in atStores.enumerated() {
            for i in 1 ... 300 {
                _ = try await js.publish("tillflow.in.\(stores[n]).pos", payload: Array("{\"tx_id\":\"t\(i)\"}".utf8))
            }
            _ = try await js.publish("tillflow.in.\(stores[1 - n]).pos", payload: Array("{\"tx_id\":\"forged\"}".utf8))
        }
        func perSubject() async throws -> [String: UInt64] {
            try await atHub.streamInfo("TILLFLOW_IN", subjects: "tillflow.in.>").state.subjects ?? [:]
        }
        while try await perSubject().values.reduce(0, +) < 600 && Date() < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        try await Task.sleep(for: .seconds(1))  // long enough for a second copy or a forged record to show
        // then the hub holds each store's own records once, and no forged one.
        #expect(try await perSubject() == ["tillflow.in.store-0001.pos": 300, "tillflow.in.store-0002.pos": 300])

        // A stolen box: store-0001's credentials, used at the hub as a client.
        let thief = try await connect(hub.url, as: "store-0001")
        try thief.publish("tillflow.in.store-0002.pos", payload: Array("{\"tx_id\":\"stolen\"}".utf8))
        try await thief.flush()
        await #expect(throws: (any Error).self, "the store's account has no JetStream of the hub's") {
            try await JetStream(thief, timeout: .seconds(2)).streamInfo("TILLFLOW_IN")
        }
        await #expect(throws: (any Error).self, "another store's domain is out of its account's reach") {
            try await JetStream(thief, domain: "store-0002", timeout: .seconds(2)).streamInfo("TILLFLOW_IN")
        }
        #expect(try await JetStream(thief, domain: "store-0001", timeout: .seconds(5)).streamInfo("TILLFLOW_IN").state.messages == 301,
                "its own store's stream, as the box already holds it")
        try await Task.sleep(for: .milliseconds(500))
        #expect(try await perSubject() == ["tillflow.in.store-0001.pos": 300, "tillflow.in.store-0002.pos": 300])
        for js in atStores { await js.connection.close() }
        await thief.close()
        await admin.close()
    }
}
