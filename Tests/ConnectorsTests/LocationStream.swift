import Dataflow
import Foundation
import Generators
import Jobs
import Testing

/// Several locations' POS and inventory lines, malformed ones (location `_`) among them,
/// with clock marks, each mark given to the location of the line before it (as an
/// edge node's marks come on its own subject).
struct LocationStream {
    let directory: String
    /// The stream's lines in sequence order (sequence = index + 1), with their location.
    private(set) var lines: [(location: String, bytes: [UInt8])]

    /// - Parameter maxLineBytes: lines longer are left out (those a NATS server's
    ///   `max_payload` refuses; a generated stream has a few to be `too_large`).
    /// - Parameter lastMark: a clock mark at this time put after every line, one on each
    ///   location's subject: a live stream has no end, and these fire and expire in every
    ///   location's run what the end of a replay does.
    init(locations: Int, count: Int = 3_000, maxLineBytes: Int = .max, lastMark: Int64? = nil) throws {
        directory = NSTemporaryDirectory() + "tillflow-locations-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let plain = directory + "/plain.jsonl", marked = directory + "/marked.jsonl"
        _ = try InventoryGenerator.write(InventoryGeneratorConfig(locations: locations, skus: 30, count: count, seed: 21,
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
            if bytes.count > maxLineBytes { continue }
            let isMark = bytes.withUnsafeBytes { ClockMark.time(ofLine: $0) != nil }
            let location = isMark ? previous : bytes.withUnsafeBytes { RecordLocation(ofLine: $0).location }
            lines.append((location, bytes))
            previous = location
        }
        if let lastMark {
            for location in Set(lines.map(\.0)).sorted() { lines.append((location, Array("{\"clock\":\(lastMark)}".utf8))) }
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
        _ = FileManager.default.createFile(atPath: file, contents: Data(sequences.flatMap { lines[$0 - 1].bytes + [10] }))
        var settings = RunSettings(outputDirectory: directory + "/replay/" + location)
        settings.stateDirectory = directory + "/replay-state/" + location
        settings.backend = .memory
        try JobRun(job: RetailJob(.edge), inputs: [InputFile(path: file)], settings: settings).run()
        var found: [String: String] = [:]
        for name in LiveFixture.outputs {
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
        for name in LiveFixture.outputs {
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

extension LocationStream {
    /// Moves `location`'s lines after its first `kept` to the end of the stream (its own
    /// order kept): a store that goes offline and whose records arrive after everyone
    /// else's. Returns the sequence of the first line moved.
    mutating func holdBack(_ location: String, after kept: Int) -> Int {
        var seen = 0
        var early: [(location: String, bytes: [UInt8])] = [], late: [(location: String, bytes: [UInt8])] = []
        for line in lines {
            if line.location == location {
                seen += 1
                if seen > kept {
                    late.append(line)
                    continue
                }
            }
            early.append(line)
        }
        lines = early + late
        return early.count + 1
    }

    /// The subject a line is published on in `TILLFLOW_IN`: its location's, a clock mark
    /// on `.clock`.
    func subject(_ sequence: Int) -> String {
        let (location, bytes) = lines[sequence - 1]
        let isMark = bytes.withUnsafeBytes { ClockMark.time(ofLine: $0) != nil }
        let kind = isMark ? "clock" : bytes.withUnsafeBytes { RecordLocation(ofLine: $0).isTransaction } ? "pos" : "inventory"
        return "tillflow.in.\(location).\(kind)"
    }
}
