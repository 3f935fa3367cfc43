import Foundation
import LiveNode
import NATS
import NATSTestSupport
import Testing

/// The status board and page, in logical time: what runs post, what the page and its
/// JSON then show.
@Suite struct StatusBoardTests {
    static func part(read: Int64, valid: Int64, malformed: Int64, watermarkMs: Int64?, at: Int64 = 0) -> PartStatus {
        PartStatus(job: "edge", part: "edge",
                   stages: [StageCount("source", after: nil, records: read), StageCount("validate + dedup", after: "source", records: valid)],
                   outputs: [Count("valid", valid)], deadLetters: malformed > 0 ? [Count("malformed_json", malformed)] : [],
                   locations: [LocationClock("store-0001", watermarkMs: watermarkMs)], inputLagMessages: 3,
                   lastCheckpoint: CheckpointFigure(takenAtMs: 1_000, bytes: 4_096, durationMs: 12))
    }

    @Test func givenPostsEverySecondTheStagesRatesAreOverTheLastFiveToTenSeconds() {
        let board = StatusBoard(role: "edge node", name: "store-0001")
        // 100 records a second read, 90 valid.
        for second in 0 ... 12 {
            board.post(Self.part(read: Int64(second) * 100, valid: Int64(second) * 90, malformed: 0, watermarkMs: nil), atMs: Int64(second) * 1_000)
        }
        let snapshot = board.snapshot(atMs: 12_000)
        #expect(snapshot.stageRates["edge/edge"]?["source"] == 100)
        #expect(snapshot.stageRates["edge/edge"]?["validate + dedup"] == 90)
        // A sample every 5 s: at 0, 5 and 10 s.
        #expect(snapshot.samples.map(\.atMs) == [0, 5_000, 10_000])
        #expect(snapshot.samples.map(\.recordsIn) == [0, 500, 1_000])
    }

    @Test func samplesOlderThanFifteenMinutesGoAndDeadLettersCountOverTheWindow() {
        let board = StatusBoard(role: "edge node", name: "store-0001")
        // One malformed line every 10 s for 20 minutes.
        for tick in 0 ... 120 {
            let at = Int64(tick) * 10_000
            board.post(Self.part(read: Int64(tick) * 10, valid: Int64(tick) * 9, malformed: Int64(tick), watermarkMs: at - 2_000), atMs: at)
        }
        let snapshot = board.snapshot(atMs: 1_200_000)
        #expect(snapshot.samples.first!.atMs >= 1_200_000 - StatusBoard.keepMs)
        #expect(snapshot.samples.count == 91, "a sample every 10 s (the posts' pace) over 15 minutes")
        // 120 in all, 90 in the last 15 minutes.
        #expect(snapshot.status.parts.first?.deadLetters == [Count("malformed_json", 120)])
        #expect(snapshot.recentDeadLetters["edge/edge"] == [Count("malformed_json", 90)])
        #expect(snapshot.samples.last?.watermarkLagSeconds == 2)
    }

    @Test func aPartRemovedIsNoLongerShown() {
        let board = StatusBoard(role: "worker", name: "w-1")
        board.post(Self.part(read: 1, valid: 1, malformed: 0, watermarkMs: nil), atMs: 0)
        board.remove(job: "edge", part: "edge")
        #expect(board.snapshot(atMs: 1).status.parts.isEmpty)
        #expect(StatusPage.html(board.snapshot(atMs: 1)).contains("nothing runs here now"))
    }

    @Test func thePageShowsTheFiguresAndEscapesNames() {
        let board = StatusBoard(role: "edge node", name: "<script>alert(1)</script>")
        for second in 0 ... 10 {
            board.post(Self.part(read: Int64(second) * 50, valid: Int64(second) * 40, malformed: Int64(second), watermarkMs: 4_000),
                       atMs: Int64(second) * 1_000)
        }
        board.connected(true)
        let page = StatusPage.html(board.snapshot(atMs: 10_000))
        #expect(!page.contains("<script>") && page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        for expected in ["connected to NATS", "validate + dedup", "500 · 50/s", "store-0001", "malformed_json", "6.0 s", "4096 bytes",
                         "<polyline", "input lag: 3 messages"] {
            #expect(page.contains(expected), "\(expected)")
        }
        #expect(!page.contains("http://") || !page.contains("src=\"http"), "nothing fetched from elsewhere")
        #expect(!page.contains("<script"))
    }

    @Test func aWorkersPageListsThePoolsJobsAndTheStores() {
        let board = StatusBoard(role: "worker", name: "w-1")
        var owned = JobStatusReport.Partition(partition: 0, owner: "w-1")
        owned.reachedSequence = 40
        owned.lagMessages = 2
        owned.lastCheckpoint = CheckpointFigure(takenAtMs: 0, bytes: 10, durationMs: 3)
        let report = JobStatusReport(name: "cloud", job: "edge", partitionCount: 1, cancelled: false, inputNextSequence: 42,
                                     partitions: [owned, .init(partition: nil, owner: nil)])
        board.pool(jobs: [report], stores: [StoreSync(store: "s1", lagMessages: 7, lastHeardSeconds: 1.5)])
        let page = StatusPage.html(board.snapshot(atMs: 0))
        for expected in ["Pool job cloud", "<td>w-1</td>", "<td class=\"n\">40</td>", "global", "none", "s1", "1.5 s ago"] {
            #expect(page.contains(expected), "\(expected)")
        }
        #expect(report.lines == [
            "job cloud: edge, 1 partitions, running; TILLFLOW_IN next sequence 42",
            "partition 0: owner w-1, reached sequence 40 (lag 2 messages), last checkpoint 1970-01-01T00:00:00.000Z (10 bytes, put in 3 ms)",
            "global rollups: owner none, no checkpoint yet",
        ])
    }
}

/// The edge node's status page in a real browser: `run edge --http` against a real
/// server, records through its ingest, then Debian's chromium loads `/`.
@Suite(.serialized, .timeLimit(.minutes(2))) struct StatusPageInABrowserTests {
    @Test func aRunningNodesPageShowsItsJobGraphClocksAndDeadLettersInChromium() async throws {
        let server = try NATSServer(); defer { server.stop() }
        let directory = NSTemporaryDirectory() + "tillflow-status-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let port = try HTTPIngestTests.freePort()
        let base = "http://127.0.0.1:\(port)"
        let node = try launch(["run", "edge", "--nats", server.url, "--node", "store-0001", "--state-dir", directory,
                               "--clock-interval", "0s", "--checkpoint-interval", "1s", "--http", "\(port)"])
        defer { if node.isRunning { kill(node.processIdentifier, SIGKILL); node.waitUntilExit() } }
        let deadline = Date().addingTimeInterval(60)
        while (try? await HTTPIngestTests.http("GET", base + "/ready"))?.status != 200 && Date() < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        // Given a valid sale, a line that is no JSON, and one with an unknown currency:
        let sale = #"{"tx_id":"t-1","store_id":"store-0001","terminal_id":"a","event_time":1795219200000,"currency":"EUR","items":[{"sku":"S","qty":1,"unit_price":"1.00"}],"total":"1.00"}"#
        let badCurrency = sale.replacingOccurrences(of: "t-1", with: "t-2").replacingOccurrences(of: "EUR", with: "XXX")
        let body = Array([sale, "not json", badCurrency].joined(separator: "\n").utf8) + [10]
        #expect(try await HTTPIngestTests.http("POST", base + "/v1/records", body: body).status == 202)

        // once the node has read them and sampled twice (5 s apart), the page has figures and charts.
        var snapshot: StatusSnapshot?
        while Date() < deadline {
            let reply = try await HTTPIngestTests.http("GET", base + "/status.json")
            snapshot = try? JSONDecoder().decode(StatusSnapshot.self, from: Data(reply.body.utf8))
            if let s = snapshot, s.samples.count >= 2, s.status.parts.first?.recordsIn == 3, s.status.parts.first?.lastCheckpoint != nil { break }
            try await Task.sleep(for: .milliseconds(250))
        }
        let part = try #require(snapshot?.status.parts.first, "\(String(describing: snapshot))")
        #expect(snapshot?.status.role == "edge node" && snapshot?.status.name == "store-0001" && snapshot?.status.connected == true)
        #expect(part.outputs.contains(Count("valid", 1)))
        #expect(Set(part.deadLetters.map(\.name)) == ["malformed_json", "unknown_currency"], "\(part.deadLetters)")
        #expect(part.locations.first?.watermarkMs != nil)

        let dom = try await HeadlessChromium.dom(of: base + "/")
        for expected in ["Tillflow edge node", "store-0001", "connected to NATS", "validate + dedup", "turnover windows",
                         "reservations", "malformed_json", "unknown_currency", "Last 15 minutes", "records in /s", "<polyline",
                         "Last checkpoint", "2026-11-2"] {
            #expect(dom.contains(expected), "\(expected) in the page as chromium read it")
        }
        let screenshot = HeadlessChromium.outputDirectory + "/status-page-edge.png"
        try await HeadlessChromium.screenshot(of: base + "/", to: screenshot)
        let png = try #require(FileManager.default.contents(atPath: screenshot), "no screenshot at \(screenshot)")
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]) && png.count > 20_000, "a PNG with something drawn: \(png.count) bytes")

        kill(node.processIdentifier, SIGTERM)
        node.waitUntilExit()
        #expect(node.terminationStatus == 0)
    }
}
