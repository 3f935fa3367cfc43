import ArgumentParser
import JobCommands
import Jobs

/// The retail jobs' own options (spec/cli.md's common options that change results), as
/// `replay` and `run edge` take them.
struct RetailJobOptions: ParsableArguments {
    @Option(help: "Tumbling window size.") var window = DurationArgument(milliseconds: 10_000)
    @Option(help: "Watermark bound.") var outOfOrderness = DurationArgument(milliseconds: 2_000)
    @Option(help: "How long a fired window still takes late records.") var allowedLateness = DurationArgument(milliseconds: 0)
    @Option(help: "correct|reject: what to do with a total that differs from its items.") var totalMismatch = "correct"
    @Option(help: "How long a seen tx_id is remembered (event time).") var dedupHorizon = DurationArgument(milliseconds: 86_400_000)
    @Option(help: "Inventory low-stock alert threshold (inventory and edge jobs).") var lowStockThreshold = 5
    @Option(help: ArgumentHelp("Lines per input batch; checkpoints fall between batches.", visibility: .hidden))
    var batchLines = 4096

    func validate() throws {
        guard TotalMismatchPolicy(rawValue: totalMismatch) != nil else {
            throw ValidationError("--total-mismatch must be correct or reject, not '\(totalMismatch)'")
        }
        guard window.milliseconds > 0 else { throw ValidationError("--window must be positive") }
        guard lowStockThreshold >= 0 else { throw ValidationError("--low-stock-threshold cannot be negative") }
        guard batchLines > 0 else { throw ValidationError("--batch-lines must be positive") }
    }

    func jobOptions(parallelism: Int) -> JobOptions {
        var options = JobOptions()
        options.windowMs = window.milliseconds
        options.outOfOrdernessMs = outOfOrderness.milliseconds
        options.allowedLatenessMs = allowedLateness.milliseconds
        options.totalMismatch = TotalMismatchPolicy(rawValue: totalMismatch)!
        options.dedupHorizonMs = dedupHorizon.milliseconds
        options.lowStockThreshold = Int64(lowStockThreshold)
        options.batchLines = batchLines
        options.parallelism = parallelism
        return options
    }
}
