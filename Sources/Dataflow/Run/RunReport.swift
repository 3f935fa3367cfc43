/// What a run did, for its summary: the job's own figures and the run's.
public struct RunReport {
    public let jobName: String
    public let statistics: any RunStatistics
    /// From the start of the run (state directory locked) to its outputs closed.
    public let elapsedSeconds: Double
    /// Records read by this process; the rest were read before the checkpoint it resumed.
    public let recordsThisRun: Int64
    public let resumedFrom: CheckpointManifest?
    /// Time from the start until the job stood built (and restored, when resumed).
    public let restoreSeconds: Double
    public let checkpointsTaken: Int
    public let checkpointMicrosTotal: Int64
    public let latestCheckpoint: CheckpointManifest?
    public let checkpointDirectory: String
    public let outputDirectory: String

    /// The end-of-run summary, its first line naming the command (`replay turnover: ...`).
    public func summary(command: String) -> String {
        let n = statistics.recordsRead
        let rate = Int64(Double(recordsThisRun) / max(elapsedSeconds, 1e-9))
        var lines: [String] = []
        if let resumed = resumedFrom, resumed.finished {
            lines.append("\(command) \(jobName): already finished (checkpoint \(resumed.id)); outputs unchanged")
        } else {
            let all = resumedFrom == nil ? "" : " (\(SummaryText.count(n)) in all)"
            lines.append("\(command) \(jobName): \(SummaryText.count(recordsThisRun)) records in "
                + "\(SummaryText.seconds(elapsedSeconds)), \(SummaryText.count(rate)) records/s\(all)")
            if let resumed = resumedFrom {
                lines.append(SummaryText.line("resumed from", "checkpoint \(resumed.id) (\(SummaryText.count(n - recordsThisRun)) "
                    + "records before it), restored in \(SummaryText.milliseconds(restoreSeconds))"))
            }
        }
        lines += statistics.summaryLines
        if checkpointsTaken > 0, let latest = latestCheckpoint {
            let average = Double(checkpointMicrosTotal) / Double(checkpointsTaken) / 1_000_000
            lines.append(SummaryText.line("checkpoints", "\(checkpointsTaken) taken, \(SummaryText.milliseconds(average)) "
                + "each on average, last \(latest.id) in \(checkpointDirectory)/"))
        }
        lines.append(SummaryText.line("outputs in", "\(outputDirectory)/"))
        return lines.joined(separator: "\n")
    }
}
