import Dataflow
import Foundation
import Generators
import Jobs
import Testing

/// live.md section 4, "identical to the edge": one stream of many locations' lines, run
/// with a clock per location (`LocationRuns`), gives for every location exactly what
/// `replay edge --parallelism 1` writes over that location's lines alone, in stream
/// order (a dead letter's `source` naming the shared stream's sequence), also when the
/// run is cut short and resumed from the partition's checkpoint.
@Suite(.serialized, .timeLimit(.minutes(5))) struct LocationRunsTests {
    static let outputs = ["valid.jsonl", "invalid.jsonl", "turnover.jsonl", "rollup.jsonl", "late.jsonl",
                          "decisions.jsonl", "alerts.jsonl", "availability.jsonl"]

    /// Six locations' POS and inventory lines, malformed ones (location `_`) among them,
    /// with clock marks, each mark given to the location of the line before it (as an
    /// edge node's marks come on its own subject).
    struct SharedStream {
        let directory: String
        /// The stream's lines in sequence order (sequence = index + 1), with their location.
        let lines: [(location: String, bytes: [UInt8])]

        init() throws {
            directory = NSTemporaryDirectory() + "tillflow-locations-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let plain = directory + "/plain.jsonl", marked = directory + "/marked.jsonl"
            _ = try InventoryGenerator.write(InventoryGeneratorConfig(locations: 6, skus: 30, count: 3_000, seed: 21,
                                                                      invalidFraction: 0.03), to: plain)
            let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().path
            let script = Process()
            script.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            script.arguments = ["python3", root + "/scripts/add-clock-marks.py", plain, marked, "--every", "25"]
            try script.run()
            script.waitUntilExit()
            #expect(script.terminationStatus == 0)
            var lines: [(String, [UInt8])] = []
            var previous = RecordLocation.unknown
            for line in [UInt8](FileManager.default.contents(atPath: marked)!).split(separator: 10) {
                let bytes = Array(line)
                let isMark = bytes.withUnsafeBytes { ClockMark.time(ofLine: $0) != nil }
                let location = isMark ? previous : bytes.withUnsafeBytes { RecordLocation(ofLine: $0).location }
                lines.append((location, bytes))
                previous = location
            }
            self.lines = lines
        }

        func remove() { try? FileManager.default.removeItem(atPath: directory) }

        var locations: [String] { Array(Set(lines.map(\.location))).sorted() }

        /// What `replay edge` writes over `location`'s lines alone (a file of its own),
        /// by output, a dead letter's `source` turned from the file's line number into
        /// the shared stream's sequence.
        func replayed(_ location: String) throws -> [String: String] {
            let sequences = lines.indices.filter { lines[$0].location == location }.map { $0 + 1 }
            let file = directory + "/\(location).jsonl"
            FileManager.default.createFile(atPath: file, contents: Data(sequences.flatMap { lines[$0 - 1].bytes + [10] }))
            var settings = RunSettings(outputDirectory: directory + "/replay/" + location)
            settings.stateDirectory = directory + "/replay-state/" + location
            settings.backend = .memory
            try JobRun(job: RetailJob(.edge), inputs: [InputFile(path: file)], settings: settings).run()
            var found: [String: String] = [:]
            for name in LocationRunsTests.outputs {
                var text = String(decoding: FileManager.default.contents(atPath: settings.outputDirectory + "/" + name) ?? Data(),
                                  as: UTF8.self)
                if name == "invalid.jsonl" {
                    text = text.split(separator: "\n").map { row in
                        guard let range = row.range(of: "\"source\":\"\(location).jsonl:") else { return String(row) }
                        let digits = row[range.upperBound...].prefix { $0.isNumber }
                        return row.replacingCharacters(in: range.lowerBound ..< digits.endIndex,
                                                       with: "\"source\":\"TILLFLOW_IN:\(sequences[Int(digits)! - 1])")
                    }.map { $0 + "\n" }.joined()
                }
                found[name] = text
            }
            return found
        }

        /// The outputs of `location` under `directory/<run>/`.
        func written(_ location: String, by run: String) -> [String: String] {
            var found: [String: String] = [:]
            for name in LocationRunsTests.outputs {
                found[name] = String(decoding: FileManager.default.contents(atPath: "\(directory)/\(run)/\(location)/\(name)") ?? Data(),
                                     as: UTF8.self)
            }
            return found
        }

        /// The runs of a partition, each location's state in `run-state/<location>` and its
        /// outputs in `run/<location>`, checkpoints only when the partition takes them.
        func locationRuns(_ run: String, backend: StateBackendKind) -> LocationRuns {
            LocationRuns(streamName: "TILLFLOW_IN", batchLines: 64) { location in
                var settings = RunSettings(outputDirectory: "\(directory)/\(run)/\(location)")
                settings.stateDirectory = "\(directory)/\(run)-state/\(location)"
                settings.backend = backend
                settings.checkpointIntervalMs = .max
                return JobRun(job: RetailJob(.edge), inputs: [], settings: settings)
            }
        }

        func line(_ sequence: Int) -> InputLine {
            let bytes = lines[sequence - 1].bytes
            return InputLine(origin: LineOrigin(fileIndex: 0, lineNumber: Int64(sequence), raw: bytes[...]),
                             fullLength: bytes.count, format: .jsonLines)
        }
    }

    @Test func everyLocationGetsWhatReplayWritesOverItsLinesAlone() throws {
        let s = try SharedStream(); defer { s.remove() }
        #expect(s.locations.count >= 7 && s.locations.contains(RecordLocation.unknown), "\(s.locations)")
        let runs = s.locationRuns("cloud", backend: .memory)
        for start in stride(from: 1, through: s.lines.count, by: 200) {
            for sequence in start ..< min(start + 200, s.lines.count + 1) {
                try runs.push(s.line(sequence), location: s.lines[sequence - 1].location)
            }
            try runs.runUntilIdle()
        }
        _ = try runs.finish()
        for location in s.locations {
            let expected = try s.replayed(location)
            let found = s.written(location, by: "cloud")
            for name in Self.outputs {
                #expect(found[name] == expected[name], "\(location) \(name)")
            }
            #expect(!(expected["valid.jsonl"]!.isEmpty && expected["invalid.jsonl"]!.isEmpty), "\(location) has no rows")
        }
        #expect(!s.written("store-0001", by: "cloud")["turnover.jsonl"]!.isEmpty)
        #expect(!s.written("store-0001", by: "cloud")["decisions.jsonl"]!.isEmpty)
    }

    /// Lines pushed in batches of 150, a partition checkpoint after every fourth batch,
    /// the run given up (as a crash) after batch 11 with rows written past the last
    /// checkpoint; resumed, it reads the shared stream again from where `resume` says,
    /// and every location ends with replay's outputs.
    @Test func cutShortAndResumedFromThePartitionsCheckpointEveryLocationEndsWithReplaysOutputs() throws {
        let s = try SharedStream(); defer { s.remove() }
        let batch = 150
        var runs: LocationRuns? = s.locationRuns("cloud", backend: .rocksdb)
        var checkpointedAt: Int64 = 1
        for (index, start) in stride(from: 1, through: s.lines.count, by: batch).enumerated() {
            let end = min(start + batch, s.lines.count + 1)
            for sequence in start ..< end { try runs!.push(s.line(sequence), location: s.lines[sequence - 1].location) }
            try runs!.runUntilIdle()
            if (index + 1) % 4 == 0 {
                try runs!.checkpoint(caughtUpTo: Int64(end))
                checkpointedAt = Int64(end)
            }
            if index + 1 == 11 { break }
        }
        runs!.abandon()
        runs = nil  // the crash: state directories unlocked, outputs left as written

        let resumed = s.locationRuns("cloud", backend: .rocksdb)
        let locations = try FileManager.default.contentsOfDirectory(atPath: s.directory + "/cloud-state").sorted()
        let from = try resumed.resume(locations)
        #expect(from == checkpointedAt && from == Int64(8 * batch + 1), "\(from) \(checkpointedAt)")
        for sequence in Int(from) ... s.lines.count {
            try resumed.push(s.line(sequence), location: s.lines[sequence - 1].location)
            if sequence % batch == 0 { try resumed.runUntilIdle() }
        }
        let reports = try resumed.finish()
        #expect(reports.values.contains { $0.resumedFrom != nil })
        for location in s.locations {
            let expected = try s.replayed(location)
            let found = s.written(location, by: "cloud")
            for name in Self.outputs {
                #expect(found[name] == expected[name], "\(location) \(name)")
            }
        }
    }
}
