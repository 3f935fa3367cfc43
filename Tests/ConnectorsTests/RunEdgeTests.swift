import Connectors
import Dataflow
import Foundation
import Jobs
import NATS
import NATSTestSupport
import Testing

/// `tillflow run edge` through the binary against a real server: killed with SIGKILL at
/// random moments while its input is published, and started again, then stopped with SIGTERM, it has published on every
/// output subject exactly the rows `replay edge` writes for the same lines, `Tillflow-Seq`
/// 1..N each once.

/// Later than every generated event time.
let T0: Int64 = 1_795_219_200_000
@Suite(.serialized, .timeLimit(.minutes(4))) struct RunEdgeTests {
    /// What `replay edge` writes for the fixture's lines, by the output subject of node
    /// `store-0001`.
    func expectedRows(_ f: LiveFixture) throws -> [String: [String]] {
        try f.replay()
        var expected: [String: [String]] = [:]
        for name in LiveFixture.outputs {
            expected["tillflow.out.store-0001." + name.replacingOccurrences(of: ".jsonl", with: "")] = f.replayedRows(name)
        }
        return expected
    }

    /// Waits (up to 90 s, while the node runs; `TILLFLOW_OUT` may not be there yet) until
    /// every subject's last ordinal is its expected count, then stops the node with
    /// SIGTERM and expects a clean stop; returns what the node wrote to standard error.
    func awaitRowsThenStop(_ node: Process, _ expected: [String: [String]], in js: JetStream) async throws -> String {
        let subjects = expected.keys.sorted()
        let targets = subjects.map { expected[$0]!.count }
        let deadline = Date().addingTimeInterval(90)
        while (try? await lastOrdinals(js, subjects)) != targets && Date() < deadline && node.isRunning {
            try await Task.sleep(for: .milliseconds(100))
        }
        kill(node.processIdentifier, SIGTERM)
        let stopped = await finished(node)
        #expect(stopped.status == 0, "\(stopped.stderr)")
        #expect(stopped.stdout.contains("stopped by SIGTERM"), "\(stopped.stdout)")
        for subject in subjects {
            try await LiveFixture.expectExactlyOnce(expected[subject]!, on: subject, in: js)
        }
        return stopped.stderr
    }

    /// Waits (up to 30 s) until node `store-0001` has published its first valid row.
    func awaitFirstValidRow(_ js: JetStream) async throws {
        let deadline = Date().addingTimeInterval(30)
        while (try? await lastOrdinals(js, ["tillflow.out.store-0001.valid"])) ?? [0] == [0] && Date() < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Twenty rounds: a twentieth of the input is published, the node started, and killed
    /// with SIGKILL at a random moment (in round 10 stopped with SIGTERM instead, which
    /// must be clean); then a last run reads to the end.
    @Test func killedAtRandomWhilePublishingAndStartedAgainItPublishesEveryRowOnce() async throws {
        // A live run has no end of input: a last mark, days ahead, fires and expires
        // everything the end of a replay would, in both.
        let f = try LiveFixture(count: 3_000, lastMark: T0 + 30 * 86_400_000); defer { f.remove() }
        let expected = try expectedRows(f)

        let server = try NATSServer(); defer { server.stop() }
        let nc = try await NATSConnection.connect(NATSConnectionOptions(url: server.url))
        let js = JetStream(nc)
        _ = try await js.ensureStream(TillflowStreams.input)

        let arguments = ["run", "edge", "--nats", server.url, "--node", "store-0001", "--state-dir", f.directory + "/state",
                         "--clock-interval", "0s", "--checkpoint-interval", "100ms", "--batch-lines", "64", "--parallelism", "2"]
        var rng = SystemRandomNumberGenerator()
        let rounds = 20
        for round in 1 ... rounds {
            let share = f.lines[(round - 1) * f.lines.count / rounds ..< round * f.lines.count / rounds]
            let publishing = Task {
                for line in share { _ = try await js.publish("tillflow.in.store-0001.pos", payload: line) }
            }
            let node = try launch(arguments)
            try await Task.sleep(for: .milliseconds(Int.random(in: 200 ... 1_200, using: &rng)))
            if round == rounds / 2 {
                kill(node.processIdentifier, SIGTERM)
                let stopped = await finished(node)
                #expect(stopped.status == 0 && stopped.stdout.contains("stopped by SIGTERM"), "\(stopped.stdout)")
            } else {
                kill(node.processIdentifier, SIGKILL)
                node.waitUntilExit()
            }
            try await publishing.value
        }
        _ = try await awaitRowsThenStop(try launch(arguments), expected, in: js)
        await nc.close()
    }

    /// `tillflow publish` puts a file's lines on their locations' subjects in file order;
    /// the node's results are what replay writes, and `tillflow outputs` counts them.
    @Test func aFilePublishedByTheCommandLineGivesReplaysRowsAndOutputsCountsThem() async throws {
        let f = try LiveFixture(count: 1_000, lastMark: T0 + 30 * 86_400_000); defer { f.remove() }
        let expected = try expectedRows(f)
        let server = try NATSServer(); defer { server.stop() }
        let nc = try await NATSConnection.connect(NATSConnectionOptions(url: server.url))
        let js = JetStream(nc)

        let publish = await finished(try launch(["publish", "--nats", server.url, "--input", f.input]))
        #expect(publish.status == 0 && publish.stdout.contains("publish: \(f.lines.count) lines stored"), "\(publish.stdout)")
        let info = try await js.streamInfo("TILLFLOW_IN")
        #expect(info.state.messages == UInt64(f.lines.count))
        for (i, line) in f.lines.enumerated().filter({ $0.offset % 97 == 0 }) {
            let subject = line.withUnsafeBytes { RecordLocation(ofLine: $0) }.subject
            let stored = try await js.directGetNext(stream: "TILLFLOW_IN", subject: subject, from: UInt64(i + 1))
            #expect(stored?.headers?["Nats-Sequence"] == "\(i + 1)" && stored?.payload == line, "line \(i + 1) on \(subject)")
        }

        let node = try launch(["run", "edge", "--nats", server.url, "--node", "store-0001", "--state-dir", f.directory + "/state",
                               "--clock-interval", "0s"])
        _ = try await awaitRowsThenStop(node, expected, in: js)

        let listed = await finished(try launch(["outputs", "--nats", server.url, "--node", "store-0001", "--rows", "1"]))
            .stdout.split(separator: "\n").map(String.init)
        for (subject, rows) in expected {
            let at = listed.firstIndex(of: "\(subject): \(rows.count) rows")
            #expect(at != nil, "\(subject) in:\n\(listed.joined(separator: "\n"))")
            if let at, let first = rows.first { #expect(listed[at + 1] == "  " + first) }
        }
        await nc.close()
    }

    /// `--config FILE` gives the options the command line does not (cli.md): here the
    /// server, the state directory and a node name, which `--node` on the command line
    /// overrides. A file that is no mapping of option values is refused in one line.
    @Test func optionsComeFromAConfigFileAndTheCommandLineWins() async throws {
        let f = try LiveFixture(count: 300, lastMark: T0 + 30 * 86_400_000); defer { f.remove() }
        let expected = try expectedRows(f)
        let server = try NATSServer(); defer { server.stop() }
        let nc = try await NATSConnection.connect(NATSConnectionOptions(url: server.url))
        let js = JetStream(nc)
        _ = try await js.ensureStream(TillflowStreams.input)
        for line in f.lines { _ = try await js.publish("tillflow.in.store-0001.pos", payload: line) }

        let config = f.directory + "/edge.yaml"
        try """
            # the node's settings
            nats: [\(server.url)]
            node: from-the-file
            state-dir: \(f.directory)/state
            clock-interval: 0s
            checkpoint-interval: 100ms
            parallelism: 2
            """.write(toFile: config, atomically: true, encoding: .utf8)
        _ = try await awaitRowsThenStop(try launch(["run", "edge", "--config", config, "--node", "store-0001"]), expected, in: js)
        #expect(FileManager.default.fileExists(atPath: f.directory + "/state"))

        try "nats:\n  url: \(server.url)\nnode: n\n".write(toFile: config, atomically: true, encoding: .utf8)
        let refused = await finished(try launch(["run", "edge", "--config", config]))
        let complaint = refused.stderr
        #expect(refused.status != 0)
        #expect(complaint.hasPrefix("tillflow: --config \(config): nats: ") && complaint.split(separator: "\n").count == 1, "\(complaint)")
        await nc.close()
    }

    /// The connection options of cli.md through the binary: `tls://` with `--tls-ca`
    /// reaches a server that requires TLS; without the CA the command fails in one line.
    @Test func theCommandLineConnectsOverTLSWithTheCAItIsGiven() async throws {
        let f = try LiveFixture(count: 200); defer { f.remove() }
        let certificates = try TestCertificates(); defer { certificates.remove() }
        let server = try NATSServer(extraArguments: certificates.serverArguments); defer { server.stop() }
        let url = "tls://127.0.0.1:\(server.port)"

        let trusting = await finished(try launch(["publish", "--nats", url, "--tls-ca", certificates.caFile, "--input", f.input]))
        #expect(trusting.status == 0 && trusting.stdout.contains("publish: \(f.lines.count) lines stored"), "\(trusting.stdout)")

        let untrusting = await finished(try launch(["publish", "--nats", url, "--input", f.input]))
        #expect(untrusting.status != 0 && untrusting.stderr.split(separator: "\n").count == 1, "\(untrusting.stderr)")
    }

    /// The edge node end to end over TLS (the server's certificate checked against the
    /// CA it is given) with a `.creds` file (a JWT of a server in operator mode): its
    /// input published with another user's `.creds`, every output subject ends with
    /// exactly replay's rows.
    @Test func theEdgeNodeRunsEndToEndOverTLSWithACredsFile() async throws {
        let f = try LiveFixture(count: 600, lastMark: T0 + 30 * 86_400_000); defer { f.remove() }
        let expected = try expectedRows(f)
        let certificates = try TestCertificates(); defer { certificates.remove() }
        let mode = OperatorMode()
        let node = f.directory + "/node.creds", ingest = f.directory + "/ingest.creds", admin = f.directory + "/admin.creds"
        try mode.creds(name: "store-0001-node", publish: [">"]).write(toFile: node, atomically: true, encoding: .utf8)
        // The fixture's lines name several locations: an ingest user may publish input only.
        try mode.creds(name: "ingest", publish: ["tillflow.in.>", "$JS.API.STREAM.INFO.TILLFLOW_IN"])
            .write(toFile: ingest, atomically: true, encoding: .utf8)
        try mode.creds(name: "admin", publish: [">"]).write(toFile: admin, atomically: true, encoding: .utf8)
        try mode.creds(name: "store-0001-terminals", publish: ["tillflow.in.store-0001.>", "$JS.API.STREAM.INFO.TILLFLOW_IN"])
            .write(toFile: f.directory + "/store.creds", atomically: true, encoding: .utf8)
        try (mode.configuration + "jetstream { store_dir: \"\(f.directory)/js\" }\n"
            + "tls {\n  cert_file: \"\(certificates.certificateFile)\"\n  key_file: \"\(certificates.keyFile)\"\n  timeout: 10\n}\n")
            .write(toFile: f.directory + "/server.conf", atomically: true, encoding: .utf8)
        let server = try NATSServer(configuration: f.directory + "/server.conf"); defer { server.stop() }
        let url = "tls://127.0.0.1:\(server.port)"
        let login = ["--nats", url, "--tls-ca", certificates.caFile]

        let running = try launch(["run", "edge", "--node", "store-0001", "--state-dir", f.directory + "/state", "--clock-interval", "0s",
                                  "--creds", node] + login, log: f.directory + "/node.log")
        defer { if running.isRunning { kill(running.processIdentifier, SIGKILL); running.waitUntilExit() } }
        // The streams are the node's to make: the terminals publish once they are there.
        var options = NATSConnectionOptions(url: url)
        options.tlsCAFile = certificates.caFile
        options.credentials = try NATSCredentials(file: admin)
        options.connectTimeout = .seconds(20)
        let nc = try await NATSConnection.connect(options)
        let js = JetStream(nc)
        let deadline = Date().addingTimeInterval(30)
        while (try? await js.streamInfo("TILLFLOW_IN")) == nil && Date() < deadline { try await Task.sleep(for: .milliseconds(100)) }
        let published = await finished(try launch(["publish", "--input", f.input, "--creds", ingest] + login))
        #expect(published.status == 0 && published.stdout.contains("\(f.lines.count) lines stored"), "\(published.stdout)\(published.stderr)")
        _ = try await awaitRowsThenStop(running, expected, in: js)
        // A user refused a subject (a store's terminals, the fixture naming other
        // locations) is told which, in one line.
        let refused = await finished(try launch(["publish", "--input", f.input, "--creds", f.directory + "/store.creds"] + login))
        #expect(refused.status != 0 && refused.stderr.contains("Permissions Violation for Publish to \"tillflow.in.")
            && refused.stderr.split(separator: "\n").count == 1, "\(refused.stderr)")
        await nc.close()
    }

    /// `tillflow simulate` publishes at its rate, every line acknowledged, each on its
    /// store's subject, and says how many of each kind it sent.
    @Test func theSimulatorPublishesItsRateToTheStoresSubjects() async throws {
        let server = try NATSServer(); defer { server.stop() }
        let simulate = await finished(try launch(["simulate", "--nats", server.url, "--stores", "2", "--rate", "400", "--duration", "1500ms",
                                            "--seed", "3", "--invalid-fraction", "0.05"]))
        let said = simulate.stdout
        #expect(simulate.status == 0, "\(said)")
        let published = said.split(separator: " ").dropFirst(2).first.flatMap { Int($0) }
        #expect(published.map { (500 ... 600).contains($0) } == true, "\(said)")

        let nc = try await NATSConnection.connect(NATSConnectionOptions(url: server.url))
        let js = JetStream(nc)
        #expect(try await js.streamInfo("TILLFLOW_IN").state.messages == UInt64(published ?? -1))
        let reader = try await JetStreamPullConsumer.start(js, stream: "TILLFLOW_IN", startSequence: 1)
        var subjects: Set<String> = []
        var read = 0
        while read < published ?? 0 {
            let messages = try reader.poll()
            if messages.isEmpty { try await Task.sleep(for: .milliseconds(5)) }
            read += messages.count
            subjects.formUnion(messages.map(\.subject))
        }
        // Lines breaking a rule may name no store: those go to `_`.
        #expect(subjects.subtracting(["tillflow.in._.pos", "tillflow.in._.inventory"])
            == ["tillflow.in.store-0001.pos", "tillflow.in.store-0002.pos"])
        await reader.stop()
        await nc.close()
    }

    /// A node asked to stop while its server is away, with rows it has made and not
    /// seen acknowledged, stops at once (a supervisor's SIGTERM must not wait for an
    /// outage to end), exits 0 and says it took no final checkpoint; started again once
    /// the server is back, it publishes every row once.
    @Test func stoppedDuringAnOutageItExitsAtOnceAndTheNextRunLosesNothing() async throws {
        let f = try LiveFixture(count: 8_000, lastMark: T0 + 30 * 86_400_000); defer { f.remove() }
        let expected = try expectedRows(f)

        let server = try NATSServer(); defer { server.stop() }
        let nc = try await NATSConnection.connect(NATSConnectionOptions(url: server.url))
        let js = JetStream(nc)
        _ = try await js.ensureStream(TillflowStreams.input)
        for line in f.lines { _ = try await js.publish("tillflow.in.store-0001.pos", payload: line) }

        let arguments = ["run", "edge", "--nats", server.url, "--node", "store-0001", "--state-dir", f.directory + "/state",
                         "--clock-interval", "0s", "--checkpoint-interval", "100ms", "--batch-lines", "16"]
        let node = try launch(arguments)
        try await awaitFirstValidRow(js)
        // In the middle of its input: lines it has pulled still make rows that no server takes.
        server.kill()
        try await Task.sleep(for: .milliseconds(500))
        kill(node.processIdentifier, SIGTERM)
        let asked = Date()
        while node.isRunning && Date().timeIntervalSince(asked) < 10 { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!node.isRunning, "the stop must not wait for the outage to end")
        if node.isRunning { kill(node.processIdentifier, SIGKILL) }
        let stopped = await finished(node)
        #expect(stopped.status == 0, "\(stopped.stderr)")
        #expect(stopped.stdout.contains("stopped by SIGTERM during a NATS outage"), "\(stopped.stdout)")

        try server.restart()
        _ = try await awaitRowsThenStop(try launch(arguments), expected, in: js)
        await nc.close()
    }

    /// The server goes away under a running node for a few seconds, in the middle of its
    /// input (rows on their way, more to read), and comes back: the node waits, says so
    /// once, and then goes on where it was, every row once and in order; input published
    /// after the outage is read too.
    @Test func aServerStoppedAndStartedAgainUnderTheNodeLosesNothing() async throws {
        let f = try LiveFixture(count: 2_000, lastMark: T0 + 30 * 86_400_000); defer { f.remove() }
        let expected = try expectedRows(f)

        let server = try NATSServer(); defer { server.stop() }
        let nc = try await NATSConnection.connect(NATSConnectionOptions(url: server.url))
        let js = JetStream(nc)
        _ = try await js.ensureStream(TillflowStreams.input)
        let most = f.lines.count * 9 / 10
        for line in f.lines[..<most] { _ = try await js.publish("tillflow.in.store-0001.pos", payload: line) }

        let node = try launch(["run", "edge", "--nats", server.url, "--node", "store-0001", "--state-dir", f.directory + "/state",
                               "--clock-interval", "0s", "--checkpoint-interval", "100ms", "--batch-lines", "64"])
        try await awaitFirstValidRow(js)
        let beforeOutage = try await lastOrdinals(js, ["tillflow.out.store-0001.valid"])[0]
        server.kill()
        #expect(beforeOutage < expected["tillflow.out.store-0001.valid"]!.count, "the outage must come in the middle of the input")
        try await Task.sleep(for: .seconds(3))
        #expect(node.isRunning, "the node must wait for the server, not exit")
        try server.restart()
        for line in f.lines[most...] { _ = try await js.publish("tillflow.in.store-0001.pos", payload: line) }

        let log = try await awaitRowsThenStop(node, expected, in: js)
        let lost = log.split(separator: "\n").filter { $0.contains("NATS connection lost") }
        let back = log.split(separator: "\n").filter { $0.contains("NATS connection restored") }
        #expect(lost.count == 1 && back.count == 1, "one line when the outage starts, one when it ends:\n\(log)")
        await nc.close()
    }
}
