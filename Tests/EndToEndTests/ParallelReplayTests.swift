import Dataflow
import Foundation
import Jobs
import Testing

/// Spec section 0: at any parallelism a job writes the same records as at parallelism 1.
/// Tillflow restores input order after every parallel step, so here they are the same
/// bytes; inputs carry late, duplicate and malformed records, and small batches put many
/// batches in flight at once.
@Suite(.timeLimit(.minutes(5))) struct ParallelReplayTests {
    static func options(parallelism: Int) -> JobOptions {
        var o = JobOptions()
        o.parallelism = parallelism
        o.batchLines = 300
        o.allowedLatenessMs = 3_000  // window revisions too
        return o
    }

    @Test(arguments: [(JobKind.turnover, InputFormat.jsonLines), (.turnover, .csv), (.validation, .jsonLines)])
    func outputsAtParallelismTwoAndFourAreThoseOfParallelismOne(job: JobKind, format: InputFormat) throws {
        let f = try ReplayFixture(); defer { f.remove() }
        let (input, summary) = try GeneratedInputTests.generate(f, format == .csv ? "pos.csv" : "pos.jsonl", format: format,
                                                                count: 12_000)
        #expect(summary.duplicates > 0 && !summary.invalidByKind.isEmpty)
        let one = try f.run(job, inputs: [input], options: Self.options(parallelism: 1), out: "p1")
        #expect(!one.invalid.isEmpty)
        for p in [2, 4] {
            let other = try f.run(job, inputs: [input], options: Self.options(parallelism: p), out: "p\(p)", rocksDB: p == 4)
            for name in job.outputs {
                let same = one.bytes(name) == other.bytes(name)
                #expect(same, "\(name) at parallelism \(p)")
            }
        }
        if job == .turnover {
            #expect(!one.lines("late.jsonl").isEmpty)
        }
    }

    @Test func theEdgeJobAtParallelismTwoWritesWhatItWritesAtOne() throws {
        let f = try ReplayFixture(); defer { f.remove() }
        let (input, _) = try GeneratedInventoryTests.generate(f, count: 12_000)
        let one = try f.run(.edge, inputs: [input], options: Self.options(parallelism: 1), out: "p1")
        let two = try f.run(.edge, inputs: [input], options: Self.options(parallelism: 2), out: "p2")
        for name in ["valid.jsonl", "invalid.jsonl", "turnover.jsonl", "decisions.jsonl", "availability.jsonl"] {
            #expect(!one.bytes(name).isEmpty, "\(name) is empty")
        }
        for name in JobKind.edge.outputs {
            let same = one.bytes(name) == two.bytes(name)
            #expect(same, "\(name)")
        }
    }

    /// A checkpoint holds what was delivered, not what was read ahead, and no key-group
    /// assignment: a run stopped at one parallelism resumes at another.
    @Test(arguments: [(2, 1), (1, 3), (3, 2)])
    func aRunStoppedAtOneParallelismResumesAtAnother(stoppedAt: Int, resumedAt: Int) throws {
        let f = try ReplayFixture(); defer { f.remove() }
        let (input, _) = try GeneratedInputTests.generate(f, "pos.csv", format: .csv, count: 6_000)
        let reference = try f.run(.turnover, inputs: [input], options: Self.options(parallelism: 1))
        for stopAfter in [1, 7] {
            let out = f.directory + "/stopped-\(stopAfter)"
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            let stopped = Self.options(parallelism: stoppedAt)
            #expect(throws: CheckpointedReplayTests.Crash.self) {
                try CheckpointedReplayTests().run(input, out: out, backend: .rocksdb, stopAfter: stopAfter, job: .turnover,
                                                  options: stopped)
            }
            try CheckpointedReplayTests().run(input, out: out, backend: .rocksdb, stopAfter: nil, job: .turnover,
                                              options: Self.options(parallelism: resumedAt))
            for name in JobKind.turnover.outputs {
                let same = reference.bytes(name) == Outputs(directory: out).bytes(name)
                #expect(same, "\(name) after a stop at batch \(stopAfter)")
            }
        }
    }
}
