import Dataflow
import Foundation
import Generators
import Jobs
import Operators
import Testing

/// A job written in this file alone, against the public API only (no `@testable`):
/// sales per store and hour, from the same validation stage as the retail jobs. It gets
/// the engine's run layer without any change elsewhere: checkpoints, recovery after a
/// stop at any batch, outputs of one uninterrupted run byte for byte.
struct SalesPerStoreAndHour: Job {
    var name: String { "sales-per-store-and-hour" }
    var settings: String { "window=3600000ms" }
    var outputNames: [String] { ["hours.jsonl", "invalid.jsonl"] }

    func build(_ context: JobContext) throws -> any RunStatistics {
        var options = JobOptions()
        options.batchLines = 300
        let (stage, source) = try ValidationStage.reading(context.inputs, into: context.graph, options: options)
        let counters = JobCounters(reading: source)
        let invalid = try context.output("invalid.jsonl")
        stage.deadLetters.sink("invalid-sink", JSONLinesSink.deadLetters(to: invalid, inputs: context.inputs) { _ in
            counters.add("invalid", 1)
        })
        let hours = try stage.valid
            .filter("sales") { $0.kind == .sale }
            .keyBy { $0.storeID }
            .window("per-hour", TumblingWindow(sizeMs: 3_600_000), eventTime: { $0.eventTime }, aggregate: Sales())
        hours.results.sink("hours-sink", JSONLinesSink(file: try context.output("hours.jsonl")) { row, out in
            counters.add("hours", 1)
            JSONWriter.appendRaw("{\"store_id\":", to: &out)
            JSONWriter.appendString(row.key, to: &out)
            JSONWriter.appendRaw(",\"hour_start\":", to: &out)
            JSONWriter.appendInt(row.windowStart, to: &out)
            JSONWriter.appendRaw(",\"sales_minor\":", to: &out)
            JSONWriter.appendInt(row.value, to: &out)
            JSONWriter.appendRaw("}\n", to: &out)
        })
        return counters
    }

    struct Sales: WindowAggregator {
        func makeAccumulator() -> Int64 { 0 }
        func add(_ tx: Transaction, to total: inout Int64) { total += tx.totalMinor }
        func result(of total: Int64) -> Int64 { total }
    }
}

@Suite(.timeLimit(.minutes(5))) struct JobOfYourOwnTests {
    struct Stop: Error {}

    func run(_ input: String, out: String, stopAfter: Int?) throws -> RunReport {
        var settings = RunSettings(outputDirectory: out)
        settings.backend = .rocksdb
        settings.memoryBudget = 32 << 20
        settings.checkpointIntervalMs = 2
        var now: Int64 = 0
        settings.now = { now }
        var batches = 0
        return try JobRun(job: SalesPerStoreAndHour(), inputs: [InputFile(path: input)], settings: settings).run { _ in
            now += 1
            batches += 1
            if batches == stopAfter { throw Stop() }
        }
    }

    @Test func itReplaysWithCheckpointsAndResumesFromAnyBatchAsOneUninterruptedRun() throws {
        let f = try ReplayFixture(); defer { f.remove() }
        let input = f.directory + "/pos.jsonl"
        _ = try POSGenerator.write(POSGeneratorConfig(stores: 6, count: 6_000, seed: 3, span: 6 * 3_600_000,
                                                      invalidFraction: 0.02), to: input)
        let whole = try run(input, out: f.directory + "/whole", stopAfter: nil)
        #expect(whole.statistics.recordsRead == 6_000)
        #expect(whole.checkpointsTaken > 5)
        let reference = Outputs(directory: f.directory + "/whole")
        #expect(reference.lines("hours.jsonl").count > 30 && reference.lines("invalid.jsonl").count == 120)
        for stopAfter in [1, 7, 15] {
            let out = f.directory + "/stopped-\(stopAfter)"
            #expect(throws: Stop.self) { try run(input, out: out, stopAfter: stopAfter) }
            let resumed = try run(input, out: out, stopAfter: nil)
            #expect(resumed.resumedFrom != nil)
            #expect(resumed.statistics.recordsRead == 6_000, "counts cover the whole input after a resume")
            for name in ["hours.jsonl", "invalid.jsonl"] {
                let same = reference.bytes(name) == Outputs(directory: out).bytes(name)
                #expect(same, "\(name) after a stop at batch \(stopAfter)")
            }
        }
    }

    /// A job that gives two operators one id is refused when it is built, naming the id,
    /// before a record is read.
    @Test func aJobGivingTwoOperatorsOneIDIsRefusedNamingIt() throws {
        struct TwoOfOneName: Job {
            var name: String { "two-of-one-name" }
            var settings: String { "" }
            var outputNames: [String] { [] }
            func build(_ context: JobContext) throws -> any RunStatistics {
                let (stage, source) = try ValidationStage.reading(context.inputs, into: context.graph, options: JobOptions())
                stage.valid.filter("keep") { $0.kind == .sale }.filter("keep") { $0.totalMinor > 0 }
                    .sink("drop", CollectingSink<Transaction>())
                stage.deadLetters.sink("dead-letters", CollectingSink<DeadLetter>())
                return JobCounters(reading: source)
            }
        }
        let f = try ReplayFixture(); defer { f.remove() }
        let input = try f.write("pos.jsonl", [tx("a", at: T0)])
        var settings = RunSettings(outputDirectory: f.directory + "/out")
        settings.backend = .memory
        let error = #expect(throws: JobError.self) {
            try JobRun(job: TwoOfOneName(), inputs: [InputFile(path: input)], settings: settings).run()
        }
        #expect(error?.description.contains("'keep'") == true)
    }
}
