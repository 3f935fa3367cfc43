/// A dataflow job as a value: what it computes, with which settings, and how its
/// operators are wired between the inputs and the output files of a run.
///
/// `JobRun` builds a job once per run, fresh or restored from a checkpoint, and owns
/// everything around it: the state backend, recovery, checkpoints, the output files,
/// the statistics and stopping. So a job only declares operators, each with a stable id
/// (state, timers and checkpoints are keyed by it), and the same job value runs under
/// every command that runs jobs.
///
/// What holds: building the same job twice over the same inputs declares the same
/// operators with the same ids, so that a checkpoint of one restores into the other.
public protocol Job {
    /// The job's name in summaries and checkpoint manifests (`turnover`).
    var name: String { get }
    /// Every setting that changes the job's results, in words (`window=10000ms ...`).
    /// With the name and the inputs it is what a checkpoint must have been taken by to
    /// restore into this job: a checkpoint of other settings is refused, never mixed in.
    var settings: String { get }
    /// The files the job writes into its output directory.
    var outputNames: [String] { get }
    /// Declares the job's operators in `context.graph`, reading `context.inputs` and
    /// writing the files `context.output(_:)` opens, and returns what the run counts.
    func build(_ context: JobContext) throws -> any RunStatistics
}
