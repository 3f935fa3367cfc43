import Foundation
import NATS
import NATSTestSupport

/// Three nats-servers started from `deploy/nats/hub-cluster.conf` on loopback, routed to
/// each other as one JetStream cluster, and ready: a meta leader elected, so that
/// streams with three replicas can be made.
struct HubCluster {
    let files = NSTemporaryDirectory() + "tillflow-cluster-" + UUID().uuidString
    let servers: [NATSServer]
    /// The three client URLs, comma-separated, as `--nats` takes them.
    var urls: String { servers.map(\.url).joined(separator: ",") }

    init() async throws {
        let routePorts = try (1 ... 3).map { _ in try HTTPIngestTests.freePort() }
        let routes = routePorts.map { "nats-route://127.0.0.1:\($0)" }
        var servers: [NATSServer] = []
        for n in 1 ... 3 {
            servers.append(try NATSServer(configuration: LiveFixture.root + "/deploy/nats/hub-cluster.conf", environment: [
                "TILLFLOW_HUB_NAME": "hub-\(n)", "TILLFLOW_HUB_DIR": files + "/hub-\(n)",
                "TILLFLOW_HUB_CLUSTER_LISTEN": "127.0.0.1:\(routePorts[n - 1])",
                "TILLFLOW_HUB_ROUTE_1": routes[0], "TILLFLOW_HUB_ROUTE_2": routes[1], "TILLFLOW_HUB_ROUTE_3": routes[2],
                "TILLFLOW_HUB_LEAF_LISTEN": "127.0.0.1:-1",
            ]))
        }
        self.servers = servers
        let nc = try await NATSConnection.connect(NATSConnectionOptions(servers: servers.map(\.url)))
        defer { Task { await nc.close() } }
        let js = JetStream(nc, timeout: .seconds(2), replicas: 3)
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            do {
                _ = try await js.ensureStream(StreamConfig(name: "READY", subjects: ["ready"]))
                try await js.deleteStream("READY")
                return
            } catch {
                try await Task.sleep(for: .milliseconds(200))
            }
        }
        throw NATSError.timeout("the hub cluster did not elect a JetStream leader within 30 s")
    }

    /// Stops every server and removes their files.
    func stop() {
        for server in servers { server.stop() }
        try? FileManager.default.removeItem(atPath: files)
    }
}
