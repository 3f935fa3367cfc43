import Dataflow
import Foundation
import Generators
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

    /// Runs `job` into `out`; throws `Crash` after `stopAfter` batches if given.
    func run(_ input: String, out: String, backend kind: StateBackendKind, stopAfter: Int?, job kind2: JobKind = .edge,
             options: JobOptions = Self.options) throws {
        try run([input], out: out, backend: kind, stopAfter: stopAfter, job: kind2, options: options)
    }

    func run(_ inputs: [String], out: String, backend kind: StateBackendKind, stopAfter: Int?, job kind2: JobKind,
             options: JobOptions) throws {
        var settings = RunSettings(outputDirectory: out)
        settings.backend = kind
        settings.memoryBudget = 32 << 20
        settings.checkpointIntervalMs = 2
        let clock = LogicalClock()
        settings.now = { clock.now }
        settings.warn = { Issue.record("unexpected warning: \($0)") }
        var batches = 0
        try JobRun(job: RetailJob(kind2, options: options), inputs: inputs.map(InputFile.init(path:)), settings: settings)
            .run { _ in
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

    /// Input as users have it: several files in one run, read in the order given, with
    /// compressed ones among them. A run at parallelism 2 stopped in each of the files
    /// (inside the compressed one too) and resumed writes what one uninterrupted run at
    /// parallelism 1 writes, byte for byte.
    @Test(arguments: [(JobKind.turnover, InputFormat.csv, StateBackendKind.rocksdb),
                      (.turnover, .csv, .memory), (.edge, .jsonLines, .rocksdb)])
    func severalFilesOneCompressedResumeInEachOfThem(job: JobKind, format: InputFormat, kind: StateBackendKind) throws {
        let f = try ReplayFixture(); defer { f.remove() }
        let ext = format == .csv ? "csv" : "jsonl"
        // Three consecutive 20-minute stretches of one day; the middle file is zstd.
        let inputs = try [("a.\(ext)", 1 as UInt64), ("b.\(ext).zst", 2), ("c.\(ext)", 3)].enumerated().map { i, file in
            let path = f.directory + "/" + file.0
            let config = POSGeneratorConfig(stores: 8, count: 3_000, seed: file.1, format: format,
                                            start: POSGeneratorConfig.defaultStart + Int64(i) * 1_200_000, span: 1_200_000,
                                            lateFraction: 0.01, duplicateFraction: 0.01, invalidFraction: 0.02)
            _ = try POSGenerator.write(config, to: path)
            return path
        }
        if format == .csv {
            // Users' files disagree on column order: the plain files get two other orders.
            try Self.reorderColumns(of: inputs[0], [7, 6, 5, 4, 3, 2, 1, 0])
            try Self.reorderColumns(of: inputs[2], [3, 0, 5, 1, 6, 2, 7, 4])
        }
        var options = Self.options
        let reference = try f.run(job, inputs: inputs, options: options, rocksDB: kind == .rocksdb)
        // Every file reached the outputs: dead letters name each of them.
        let sources = Set(reference.invalid.map { String(($0["source"] as! String).split(separator: ":")[0]) })
        #expect(sources == Set(inputs.map { String($0.split(separator: "/").last!) }))
        #expect(reference.valid.count > 8_000)

        options.parallelism = 2
        // 500-line batches: 6 per file; stops in the first file, inside the compressed
        // one, at its end, and in the last one.
        for stopAfter in [3, 8, 12, 16] {
            let out = f.directory + "/stopped-\(stopAfter)"
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            #expect(throws: Crash.self) {
                try run(inputs, out: out, backend: kind, stopAfter: stopAfter, job: job, options: options)
            }
            try run(inputs, out: out, backend: kind, stopAfter: nil, job: job, options: options)
            for name in job.outputs {
                let same = reference.bytes(name) == Outputs(directory: out).bytes(name)
                #expect(same, "\(name) after a stop at batch \(stopAfter)")
            }
        }
    }

    /// Rewrites a CSV file with its columns in another order (`order[i]` is the old
    /// column that becomes column `i`); rows without exactly eight cells (malformed ones)
    /// stay as they are.
    static func reorderColumns(of path: String, _ order: [Int]) throws {
        let bytes = [UInt8](FileManager.default.contents(atPath: path)!)
        let comma = UInt8(ascii: ",")
        let rows = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { line -> [UInt8] in
            let cells = line.split(separator: comma, omittingEmptySubsequences: false)
            guard cells.count == order.count else { return Array(line) }
            return Array(order.map { Array(cells[$0]) }.joined(separator: [comma]))
        }
        try Data(rows.joined(separator: [UInt8(ascii: "\n")])).write(to: URL(fileURLWithPath: path))
    }
}
