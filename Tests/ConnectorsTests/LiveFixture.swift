import Dataflow
import Foundation
import Generators
import Jobs
import NATS
import Testing

/// The common ground of the live tests: a work directory, a generated inventory stream
/// with clock marks (as a file and as its lines, in bytes: some generated lines are not
/// UTF-8, and must reach the stream as they are), and what `replay edge` writes for it.
struct LiveFixture {
    static let outputs = ["valid.jsonl", "invalid.jsonl", "turnover.jsonl", "rollup.jsonl", "late.jsonl",
                          "decisions.jsonl", "alerts.jsonl", "availability.jsonl"]
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    let directory: String
    let input: String
    let lines: [[UInt8]]

    /// - Parameter lastMark: a clock mark put after every line, when given.
    init(count: Int, lastMark: Int64? = nil) throws {
        directory = NSTemporaryDirectory() + "tillflow-live-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let plain = directory + "/plain.jsonl"
        input = directory + "/edge.jsonl"
        _ = try InventoryGenerator.write(InventoryGeneratorConfig(locations: 5, skus: 40, count: count, seed: 3,
                                                                  invalidFraction: 0.02), to: plain)
        let script = Process()
        script.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        script.arguments = ["python3", Self.root + "/scripts/add-clock-marks.py", plain, input, "--every", "40"]
        try script.run()
        script.waitUntilExit()
        #expect(script.terminationStatus == 0)
        if let lastMark {
            let end = FileHandle(forWritingAtPath: input)!
            end.seekToEndOfFile()
            end.write(Data("{\"clock\":\(lastMark)}\n".utf8))
            try end.close()
        }
        lines = [UInt8](FileManager.default.contents(atPath: input)!).split(separator: 10, omittingEmptySubsequences: false)
            .dropLast().map(Array.init)
    }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }

    /// Runs `replay edge` over the file (memory state, parallelism 1) into `file/`.
    func replay() throws {
        var settings = RunSettings(outputDirectory: directory + "/file")
        settings.backend = .memory
        try JobRun(job: RetailJob(.edge), inputs: [InputFile(path: input)], settings: settings).run()
    }

    /// What the replay wrote to output `name`, dead letters' `source` as the stream names them.
    func replayed(_ name: String) -> Data {
        let written = FileManager.default.contents(atPath: directory + "/file/" + name) ?? Data()
        guard name == "invalid.jsonl" else { return written }
        return Data(String(decoding: written, as: UTF8.self)
            .replacingOccurrences(of: "\"source\":\"edge.jsonl:", with: "\"source\":\"TILLFLOW_IN:").utf8)
    }

    /// The rows of output `name` as `replay` wrote them.
    func replayedRows(_ name: String) -> [String] {
        String(decoding: replayed(name), as: UTF8.self).split(separator: "\n").map(String.init)
    }

    /// The messages `TILLFLOW_OUT` holds on `subject`: read until `count` came (or 20 s
    /// passed), then a moment more, so that one too many shows.
    static func messages(on subject: String, count: Int, in js: JetStream) async throws -> [JetStreamMessage] {
        let reader = try await JetStreamPullConsumer.start(js, stream: "TILLFLOW_OUT", startSequence: 1,
                                                           filterSubjects: [subject], batch: 500)
        var got: [JetStreamMessage] = []
        let deadline = Date().addingTimeInterval(20)
        while got.count < count && Date() < deadline {
            let more = try reader.poll()
            if more.isEmpty { try await Task.sleep(for: .milliseconds(5)) }
            got += more
        }
        try await Task.sleep(for: .milliseconds(200))
        got += try reader.poll()
        await reader.stop()
        return got
    }

    /// Expects `subject` to hold exactly `rows`, with `Tillflow-Seq` 1, 2, 3, ...
    static func expectExactlyOnce(_ rows: [String], on subject: String, in js: JetStream,
                                  sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let got = try await messages(on: subject, count: rows.count, in: js)
        let ordinals = got.map { $0.headers?["Tillflow-Seq"] ?? "none" }
        let firstBadOrdinal = ordinals.indices.first { ordinals[$0] != String($0 + 1) }
        #expect(got.count == rows.count && firstBadOrdinal == nil,
                "\(subject): \(got.count) rows, \(rows.count) expected; first wrong Tillflow-Seq at row \(firstBadOrdinal.map { "\($0 + 1): \(ordinals[$0])" } ?? "none")",
                sourceLocation: sourceLocation)
        let payloads = got.map { String(decoding: $0.payload, as: UTF8.self) }
        if let i = (0 ..< min(payloads.count, rows.count)).first(where: { payloads[$0] != rows[$0] }) {
            Issue.record("\(subject): row \(i + 1) is\n  \(payloads[i])\nnot\n  \(rows[i])", sourceLocation: sourceLocation)
        }
    }
}
