import ArgumentParser
import Dataflow
import JobCommands
import Jobs
#if canImport(Glibc)
import Glibc
#endif

/// `tillflow replay JOB --input FILE... --out DIR`: backfill over historical files.
struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a job over historical files as fast as the machine allows.",
        discussion: """
            Writes the job's outputs into --out: valid.jsonl and invalid.jsonl; turnover.jsonl, rollup.jsonl and \
            late.jsonl (turnover, edge); decisions.jsonl, alerts.jsonl and availability.jsonl (inventory, edge).
            """)

    @Argument(help: "The job: \(JobKind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var job: String

    @OptionGroup var runOptions: RunOptions

    @OptionGroup var retail: RetailJobOptions

    func validate() throws {
        guard JobKind(rawValue: job) != nil else {
            throw ValidationError("unknown job '\(job)'; expected one of \(JobKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() throws {
        let options = retail.jobOptions(parallelism: runOptions.resolvedParallelism)
        try runOptions.replay(RetailJob(JobKind(rawValue: job)!, options: options))
    }
}
