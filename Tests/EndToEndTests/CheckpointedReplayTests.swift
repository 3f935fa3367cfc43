import Dataflow
import Foundation
import Jobs
import Testing

/// Exactly-once recovery in process, on logical time: a run checkpointed every other
/// batch, stopped dead after batch N (its buffered output still reaching the files, as
/// a crash after a write would leave them), then resumed from its newest checkpoint,
/// writes byte for byte what one uninterrupted run writes, for every N tried.
@Suite(.timeLimit(.minutes(5))) struct CheckpointedReplayTests {
    struct Crash: Error {}

    final class LogicalClock {
        var now: Int64 = 0
    }

    static var options: JobOptions {
        var o = JobOptions()
        o.batchLines = 500
        o.allowedLatenessMs = 5_000  // revisions too
        return o
    }

    func makeBackend(_ kind: StateBackendKind, _ stateDir: String, restoring: String? = nil) throws -> any StateBackend {
        switch kind {
        case .memory:
            return try restoring.map(MemoryStateBackend.init(restoringFrom:)) ?? MemoryStateBackend()
        case .rocksdb:
            return try RocksDBStateBackend(directory: stateDir + "/db", memoryBudget: 32 << 20, restoringFrom: restoring)
        }
    }

    /// Runs `job` into `out`; throws `Crash` after `stopAfter` batches if given.
    func run(_ input: String, out: String, backend kind: StateBackendKind, stopAfter: Int?, job kind2: JobKind = .edge,
             options: JobOptions = Self.options) throws {
        let store = CheckpointStore(directory: out + "/.state/checkpoints")
        let latest = try store.usable { Issue.record("unexpected unusable checkpoint: \($0)") }.first
        let manifest = try latest?.manifest.get()
        let job = try ReplayJob(kind2, inputs: [InputFile(path: input)], outputDirectory: out, options: options,
                                state: try makeBackend(kind, out + "/.state", restoring: latest?.statePath),
                                resumingFrom: manifest)
        let clock = LogicalClock()
        let checkpoints = try CheckpointCoordinator(store: store, graph: job.graph, job: job.identity, outputs: job.outputs,
                                                    intervalMs: 2, resumedFrom: manifest, now: { clock.now })
        var batches = 0
        try job.run(checkpoints: checkpoints) { _ in
            clock.now += 1
            batches += 1
            if batches == stopAfter { throw Crash() }
        }
    }

    @Test(arguments: [StateBackendKind.memory, .rocksdb])
    func aRunStoppedAfterAnyBatchAndResumedWritesWhatAnUninterruptedRunWrites(_ kind: StateBackendKind) throws {
        let f = try ReplayFixture(); defer { f.remove() }
        let (input, _) = try GeneratedInputTests.generate(f, "pos.jsonl", count: 8_000)
        let reference = try f.run(.edge, inputs: [input], options: Self.options)
        for stopAfter in [1, 4, 9, 15] {
            let out = f.directory + "/stopped-\(stopAfter)"
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            #expect(throws: Crash.self) { try run(input, out: out, backend: kind, stopAfter: stopAfter) }
            try run(input, out: out, backend: kind, stopAfter: nil)
            for name in JobKind.edge.outputs {
                let same = reference.bytes(name) == Outputs(directory: out).bytes(name)
                #expect(same, "\(name) after a stop at batch \(stopAfter)")
            }
        }
    }

    /// A run resumed in the middle of a CSV file still knows the file's columns.
    @Test func aRunStoppedInTheMiddleOfACSVFileResumesWithItsHeader() throws {
        let f = try ReplayFixture(); defer { f.remove() }
        let (input, _) = try GeneratedInputTests.generate(f, "pos.csv", format: .csv, count: 4_000)
        let reference = try f.run(.turnover, inputs: [input], options: Self.options)
        let out = f.directory + "/stopped"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        #expect(throws: Crash.self) { try run(input, out: out, backend: .memory, stopAfter: 5, job: .turnover) }
        try run(input, out: out, backend: .memory, stopAfter: nil, job: .turnover)
        for name in JobKind.turnover.outputs {
            let same = reference.bytes(name) == Outputs(directory: out).bytes(name)
            #expect(same, "\(name)")
        }
    }
}
