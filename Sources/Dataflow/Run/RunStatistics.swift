/// What a run counts, for its progress and its summary: the one interface through which
/// every job reports. The run checkpoints it with the job's state, so that a resumed
/// run's figures cover the whole input, not only what this process read.
public protocol RunStatistics: CheckpointedOperator {
    /// Input records read so far (lines of the input files), across resumes.
    var recordsRead: Int64 { get }
    /// Input bytes read so far (decompressed), across resumes: the progress bar's measure.
    var bytesRead: Int64 { get }
    /// The job's lines of the summary, after the run's first line (`  valid  1,234`).
    var summaryLines: [String] { get }
}
