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
    @Test func everyLocationGetsWhatReplayWritesOverItsLinesAlone() throws {
        let s = try LocationStream(locations: 6); defer { s.remove() }
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
            for name in LiveFixture.outputs {
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
        let s = try LocationStream(locations: 6); defer { s.remove() }
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
            for name in LiveFixture.outputs {
                #expect(found[name] == expected[name], "\(location) \(name)")
            }
        }
    }
}
