// A small Tillflow job to copy from: big baskets per store and minute.
//
//     swift run -c release example-big-baskets replay --input pos.jsonl --out out/ [--min-items 10]
//
// It reads POS transactions, validates them with the same stage as the retail jobs
// (dead letters go to invalid.jsonl, none is lost), keeps sales of at least
// `--min-items` items, counts them per store in one-minute event-time windows, and
// writes each window to big-baskets.jsonl. Handing the job to `JobCommandLine` gives
// the executable `replay` with everything `tillflow replay` has: checkpoints, recovery
// after a crash (`kill -9`, then the same command), a progress bar and a summary.
import ArgumentParser
import Dataflow
import JobCommands
import Jobs
import Operators

/// The job as a value: its settings, and its operators with their stable ids.
struct BigBaskets: Job {
    var minItems: Int64 = 10

    var name: String { "big-baskets" }
    var settings: String { "min-items=\(minItems) window=60000ms" }
    var outputNames: [String] { ["big-baskets.jsonl", "invalid.jsonl"] }

    func build(_ context: JobContext) throws -> any RunStatistics {
        let (stage, source) = try ValidationStage.reading(context.inputs, into: context.graph, options: JobOptions())
        let counters = JobCounters(reading: source)
        let invalid = try context.output("invalid.jsonl")
        stage.deadLetters.sink("invalid-sink", JSONLinesSink.deadLetters(to: invalid, inputs: context.inputs) { _ in
            counters.add("invalid", 1)
        })
        let minItems = self.minItems
        let windows = try stage.valid
            .filter("big-baskets") { $0.kind == .sale && $0.itemsSold >= minItems }
            .keyBy { $0.storeID }
            .window("per-minute", TumblingWindow(sizeMs: 60_000), eventTime: { $0.eventTime }, aggregate: BasketCount())
        windows.results.sink("big-baskets-sink", JSONLinesSink(file: try context.output("big-baskets.jsonl")) { row, out in
            counters.add("windows", 1)
            counters.add("big baskets", row.value.txCount)
            JSONWriter.appendRaw("{\"store_id\":", to: &out)
            JSONWriter.appendString(row.key, to: &out)
            JSONWriter.appendRaw(",\"window_start\":", to: &out)
            JSONWriter.appendInt(row.windowStart, to: &out)
            JSONWriter.appendRaw(",\"big_baskets\":", to: &out)
            JSONWriter.appendInt(row.value.txCount, to: &out)
            JSONWriter.appendRaw(",\"items\":", to: &out)
            JSONWriter.appendInt(row.value.itemsSold, to: &out)
            JSONWriter.appendRaw(",\"revision\":", to: &out)
            JSONWriter.appendInt(row.revision, to: &out)
            JSONWriter.appendRaw("}\n", to: &out)
        })
        return counters
    }
}

/// How many big baskets, and how many items in them.
struct BasketCount: WindowAggregator {
    func makeAccumulator() -> TurnoverTotals { TurnoverTotals() }
    func add(_ tx: Transaction, to totals: inout TurnoverTotals) { totals.add(tx) }
    func result(of totals: TurnoverTotals) -> TurnoverTotals { totals }
}

/// The job's own option, beside the run's (`--input`, `--out`, `--state`, ...).
struct BigBasketsOptions: ParsableArguments {
    @Option(help: "The fewest items a sale needs to count as a big basket.") var minItems: Int64 = 10
}

JobCommandLine.main(BigBasketsOptions.self) { BigBaskets(minItems: $0.minItems) }
