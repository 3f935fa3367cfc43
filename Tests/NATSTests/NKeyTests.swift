import Foundation
@testable import NATS
import NATSTestSupport
import Testing

/// NKeys and credentials: encoded as NATS's tools encode them, and accepted by a real
/// nats-server, which checks the nonce's signature and then the user's permissions.
@Suite(.serialized, .timeLimit(.minutes(2))) struct NKeyTests {
    /// The user of the NATS documentation's NKey example: its seed gives its public key.
    @Test func theDocumentedSeedGivesTheDocumentedPublicKey() throws {
        let key = try NKey(seed: "SUACSSL3UAHUDXKFSNVUZRF5UHPMWZ6BFDTJ7M6USDXIEDNPPQYYYCU3VY")
        #expect(key.kind == .user)
        #expect(key.publicKey == "UDXU4RCSJNZOIQHZNWXHXORDPRTGNJAHAHFRGZNEEJCPQTT2M7NLCNF4")
        #expect(key.seed == "SUACSSL3UAHUDXKFSNVUZRF5UHPMWZ6BFDTJ7M6USDXIEDNPPQYYYCU3VY")
    }

    @Test func seedsOfEveryKindRoundTripAndBrokenOnesAreRefused() throws {
        for kind in [NKey.Kind.user, .account, .operator] {
            let key = NKey(random: kind)
            let again = try NKey(seed: key.seed)
            #expect(again.kind == kind && again.publicKey == key.publicKey)
            #expect(key.seed.first == "S" && key.publicKey.count == 56)
        }
        let seed = NKey(random: .user).seed
        var broken = Array(seed)
        broken[10] = broken[10] == "A" ? "B" : "A"
        #expect(throws: NATSError.self) { try NKey(seed: String(broken)) }  // the checksum no longer holds
        #expect(throws: NATSError.self) { try NKey(seed: "not a seed") }
        #expect(throws: NATSError.self) { try NKey(seed: NKey(random: .user).publicKey) }  // a public key is no seed
    }

    /// A JWT may hold any base64url letters, `END` and `BEGIN` among them (CI once made
    /// one that did): only dashed lines are markers.
    @Test func aCredsFileIsReadByItsMarkerLinesWhateverTheJWTHolds() throws {
        let key = NKey(random: .user)
        let path = NSTemporaryDirectory() + "tillflow-" + UUID().uuidString + ".creds"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let jwt = "eyJ0eXAiOiJKV1QiENDBEGIN.eyJzdWIiOiJVQUJDIn0.c2lnENDbmF0dXJl"
        try "-----BEGIN NATS USER JWT-----\n\(jwt)\n------END NATS USER JWT------\n\n-----BEGIN USER NKEY SEED-----\n\(key.seed)\n------END USER NKEY SEED------\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        let read = try NATSCredentials(file: path)
        #expect(read.jwt == jwt && read.nkey.publicKey == key.publicKey)
        try "-----BEGIN NATS USER JWT-----\n------END NATS USER JWT------\n-----BEGIN USER NKEY SEED-----\n\(key.seed)\n------END USER NKEY SEED------\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: NATSError.invalidCredentials("an empty JWT block")) { try NATSCredentials(file: path) }
    }

    /// A server whose users are NKeys: a store's key may publish its own records only.
    @Test func aStoresNKeyConnectsAndMayPublishItsOwnRecordsOnly() async throws {
        let store = NKey(random: .user), stranger = NKey(random: .user)
        let directory = NSTemporaryDirectory() + "tillflow-nkey-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try """
        jetstream { store_dir: "\(directory)/js" }
        authorization {
          users = [
            { nkey: \(store.publicKey), permissions: {
                publish: { allow: ["tillflow.in.store-0001.>", "$JS.API.STREAM.INFO.TILLFLOW_IN"] }
                subscribe: { allow: ["_INBOX.>"] } } }
            { user: admin, password: admin }
          ]
        }
        """.write(toFile: directory + "/server.conf", atomically: true, encoding: .utf8)
        let server = try NATSServer(configuration: directory + "/server.conf"); defer { server.stop() }
        var admin = NATSConnectionOptions(url: server.url)
        admin.connectTimeout = .seconds(20)  // the other suites load both cores meanwhile
        (admin.user, admin.password) = ("admin", "admin")
        let adminConnection = try await NATSConnection.connect(admin)
        _ = try await JetStream(adminConnection).createStream(StreamConfig(name: "TILLFLOW_IN", subjects: ["tillflow.in.>"]))

        try "-----BEGIN USER NKEY SEED-----\n\(store.seed)\n------END USER NKEY SEED------\n"
            .write(toFile: directory + "/store.nk", atomically: true, encoding: .utf8)
        var options = NATSConnectionOptions(url: server.url)
        options.connectTimeout = .seconds(20)  // the other suites load both cores meanwhile
        options.credentials = try NATSCredentials(file: directory + "/store.nk")
        let nc = try await NATSConnection.connect(options)
        let js = JetStream(nc, timeout: .seconds(2))
        let ack = try await js.publish("tillflow.in.store-0001.pos", payload: Array("{}".utf8))
        #expect(ack.seq == 1)
        await #expect(throws: NATSError.self) { try await js.publish("tillflow.in.store-0002.pos", payload: Array("{}".utf8)) }
        #expect(nc.lastServerError?.contains("Permissions Violation") == true, "\(nc.lastServerError ?? "")")
        #expect(try await JetStream(adminConnection).streamInfo("TILLFLOW_IN").state.messages == 1)
        await nc.close()

        // A key the server does not know is refused.
        var unknown = NATSConnectionOptions(url: server.url)
        unknown.connectTimeout = .seconds(20)  // the other suites load both cores meanwhile
        unknown.credentials = NATSCredentials(nkey: stranger)
        unknown.reconnect = false
        await #expect(throws: NATSError.self) { try await NATSConnection.connect(unknown) }
        await adminConnection.close()
    }

    /// A server in operator mode (no users in its configuration, only the operator's and
    /// the account's JWTs): a store's `.creds` file, its JWT naming what it may publish.
    @Test func aStoresCredsFileConnectsToAServerInOperatorModeWithTheJWTsPermissions() async throws {
        let mode = OperatorMode()
        let (store, admin) = (NKey(random: .user), NKey(random: .user))
        let directory = NSTemporaryDirectory() + "tillflow-creds-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try (mode.configuration + "jetstream { store_dir: \"\(directory)/js\" }\n")
            .write(toFile: directory + "/server.conf", atomically: true, encoding: .utf8)
        let server = try NATSServer(configuration: directory + "/server.conf"); defer { server.stop() }
        try OperatorMode.creds(jwt: mode.userJWT(admin, name: "admin", publish: [">"]), seed: admin)
            .write(toFile: directory + "/admin.creds", atomically: true, encoding: .utf8)
        try OperatorMode.creds(jwt: mode.userJWT(store, name: "store-0001", publish: ["tillflow.in.store-0001.>"]), seed: store)
            .write(toFile: directory + "/store.creds", atomically: true, encoding: .utf8)

        var adminOptions = NATSConnectionOptions(url: server.url)
        adminOptions.connectTimeout = .seconds(20)  // the other suites load both cores meanwhile
        adminOptions.credentials = try NATSCredentials(file: directory + "/admin.creds")
        let adminConnection = try await NATSConnection.connect(adminOptions)
        _ = try await JetStream(adminConnection).createStream(StreamConfig(name: "TILLFLOW_IN", subjects: ["tillflow.in.>"]))

        var options = NATSConnectionOptions(url: server.url)
        options.connectTimeout = .seconds(20)  // the other suites load both cores meanwhile
        options.credentials = try NATSCredentials(file: directory + "/store.creds")
        #expect(options.credentials?.jwt != nil)
        let nc = try await NATSConnection.connect(options)
        let js = JetStream(nc, timeout: .seconds(2))
        #expect(try await js.publish("tillflow.in.store-0001.pos", payload: Array("{}".utf8)).seq == 1)
        await #expect(throws: NATSError.self) { try await js.publish("tillflow.in.store-0002.pos", payload: Array("{}".utf8)) }
        #expect(nc.lastServerError?.contains("Permissions Violation") == true, "\(nc.lastServerError ?? "")")
        #expect(try await JetStream(adminConnection).streamInfo("TILLFLOW_IN").state.messages == 1)
        await nc.close()

        // The store's JWT with another user's seed: the signature does not match.
        try OperatorMode.creds(jwt: mode.userJWT(store, name: "store-0001", publish: [">"]), seed: NKey(random: .user))
            .write(toFile: directory + "/forged.creds", atomically: true, encoding: .utf8)
        var forged = NATSConnectionOptions(url: server.url)
        forged.connectTimeout = .seconds(20)  // the other suites load both cores meanwhile
        forged.credentials = try NATSCredentials(file: directory + "/forged.creds")
        forged.reconnect = false
        await #expect(throws: NATSError.self) { try await NATSConnection.connect(forged) }
        await adminConnection.close()
    }
}
