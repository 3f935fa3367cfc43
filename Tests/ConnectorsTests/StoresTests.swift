import CloudPool
import Connectors
import Foundation
import NATS
import NATSTestSupport
import Testing

/// A hub and a store's leaf node, started from `deploy/nats/`'s configurations, and
/// `tillflow stores`: the hub's `TILLFLOW_IN` holds every record the store stored, once,
/// and its own publishes, which never reach the store.
@Suite(.serialized, .timeLimit(.minutes(4))) struct StoresTests {
    func count(_ js: JetStream) async throws -> UInt64 { try await js.streamInfo("TILLFLOW_IN").state.messages }

    @Test func theHubSourcesTheStoresRecordsOnceAndKeepsItsOwnApart() async throws {
        let f = try await HubAndStore(); defer { f.stop() }
        let (hub, atStore, atHub) = (f.hub, f.atStore, f.atHub)
        let added = await finished(try launch(["stores", "add", "store-0001", "--nats", hub.url]))
        #expect(added.status == 0 && added.stdout.contains("now sources store-0001"), "\(added.stdout)\(added.stderr)")
        let again = await finished(try launch(["stores", "add", "store-0001", "--nats", hub.url]))
        #expect(again.status == 0 && again.stdout.contains("nothing changed"), "\(again.stdout)")

        for n in 1 ... 200 {
            _ = try await atStore.publish("tillflow.in.store-0001.pos", payload: Array("{\"tx_id\":\"t\(n)\"}".utf8))
        }
        for n in 1 ... 50 {
            _ = try await atHub.publish("tillflow.in.wh-01.inventory", payload: Array("{\"event_id\":\"e\(n)\"}".utf8))
        }
        // The store's stream also holds a line without a valid location, which the cloud
        // dead-letters under `_`, and one of another store, which never leaves the store.
        _ = try await atStore.publish("tillflow.in._.pos", payload: Array("not json".utf8))
        _ = try await atStore.publish("tillflow.in.store-0002.pos", payload: Array("{\"tx_id\":\"forged\"}".utf8))
        let deadline = Date().addingTimeInterval(60)
        while try await count(atHub) < 251 && Date() < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        try await Task.sleep(for: .seconds(1))  // long enough for a second copy to show
        #expect(try await count(atHub) == 251, "every store record once, and the hub's own")
        #expect(try await atHub.directGetLast(stream: "TILLFLOW_IN", subject: "tillflow.in.store-0002.pos") == nil,
                "another store's subject is not sourced from this store")
        #expect(try await atHub.directGetLast(stream: "TILLFLOW_IN", subject: "tillflow.in._.pos") != nil)
        #expect(try await count(atStore) == 202, "the hub's publishes never reach the store")

        let listed = await finished(try launch(["stores", "list", "--nats", hub.url]))
        #expect(listed.stdout.contains("store-0001  lag 0 messages"), "\(listed.stdout)\(listed.stderr)")
        let removed = await finished(try launch(["stores", "remove", "store-0001", "--nats", hub.url]))
        #expect(removed.status == 0, "\(removed.stderr)")
        #expect(await finished(try launch(["stores", "list", "--nats", hub.url])).stdout.contains("no stores sourced"))
        let unknown = await finished(try launch(["stores", "remove", "store-0002", "--nats", hub.url]))
        #expect(unknown.status != 0 && unknown.stderr.contains("does not source a store named store-0002"))
        await f.close()
    }

    /// The hub stopped while the store goes on taking records, then started again: the
    /// hub's `TILLFLOW_IN` ends with every record of the store once, and `SourcingWatch`
    /// gets the sourcing going again at once (nats-server alone waits 24-40 s).
    @Test func theHubStoppedDuringPublishingEndsWithTheStoresRecordsOnce() async throws {
        let f = try await HubAndStore(); defer { f.stop() }
        let (hub, atStore, atHub) = (f.hub, f.atStore, f.atHub)
        #expect(await finished(try launch(["stores", "add", "store-0001", "--nats", hub.url])).status == 0)

        let publishing = Task {
            for n in 1 ... 600 {
                _ = try await atStore.publish("tillflow.in.store-0001.pos", payload: Array("{\"tx_id\":\"t\(n)\"}".utf8))
                try await Task.sleep(for: .milliseconds(5))
            }
        }
        try await Task.sleep(for: .milliseconds(800))
        hub.kill()
        try await Task.sleep(for: .seconds(2))
        try hub.restart()
        try await publishing.value
        #expect(try await count(atStore) == 600)

        var watch = SourcingWatch(js: atHub)
        watch.quietMs = 2_000
        let back = Date()
        let deadline = back.addingTimeInterval(60)
        while (try? await count(atHub)) != 600 && Date() < deadline {
            _ = try? await watch.check(nowMs: Int64(Date().timeIntervalSince1970 * 1_000))
            try await Task.sleep(for: .milliseconds(200))
        }
        try await Task.sleep(for: .seconds(1))
        #expect(try await count(atHub) == 600, "every store record once")
        #expect(Date().timeIntervalSince(back) < 20, "caught up at once, not after nats-server's own 24-40 s")
        await f.close()
    }
}

/// A hub and the store `store-0001`'s leaf node, started from `deploy/nats/`'s
/// configurations, the store's `TILLFLOW_IN` made, and connected to each other: the hub
/// reaches the store through its domain (a source made before that waits half a minute
/// to start: see toolchain notes).
struct HubAndStore {
    let files = NSTemporaryDirectory() + "tillflow-stores-" + UUID().uuidString
    let hub: NATSServer
    let store: NATSServer
    let atHub: JetStream
    let atStore: JetStream

    init() async throws {
        let probe = try NATSServer()  // a free port for the leaf connections
        let leafPort = probe.port
        probe.stop()
        let deploy = LiveFixture.root + "/deploy/nats"
        hub = try NATSServer(configuration: deploy + "/hub.conf",
                             environment: ["TILLFLOW_HUB_DIR": files + "/hub", "TILLFLOW_HUB_LEAF_LISTEN": "127.0.0.1:\(leafPort)"])
        store = try NATSServer(configuration: deploy + "/store-leaf.conf",
                               environment: ["TILLFLOW_STORE": "store-0001", "TILLFLOW_STORE_DIR": files + "/store",
                                             "TILLFLOW_HUB_LEAF_URL": "nats-leaf://127.0.0.1:\(leafPort)"])
        atStore = JetStream(try await NATSConnection.connect(NATSConnectionOptions(url: store.url)))
        atHub = JetStream(try await NATSConnection.connect(NATSConnectionOptions(url: hub.url)))
        try await TillflowStreams.ensure(atStore)
        let deadline = Date().addingTimeInterval(30)
        while (try? await JetStream(atHub.connection, domain: "store-0001").streamInfo("TILLFLOW_IN")) == nil && Date() < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    func close() async {
        await atStore.connection.close()
        await atHub.connection.close()
    }

    /// Stops both servers and removes their files (after `close()`).
    func stop() {
        store.stop()
        hub.stop()
        try? FileManager.default.removeItem(atPath: files)
    }
}

