/// One stream with a clock turned into a stream with a clock per location: a run of
/// the job for every location of a shared stream (a cloud partition's share of
/// `TILLFLOW_IN`), each over that location's lines alone, in stream order, with its
/// own state, watermark, timers and outputs.
///
/// Nothing of the job changes: each location's run is a `JobRun` like `replay`'s and
/// `run edge`'s, reading a `LocationLineSource`, so for every location its outputs are
/// what `replay --parallelism 1` writes over that location's lines alone (live.md
/// section 4). The runs share the caller's thread and are driven by it: push the lines
/// of a batch of the shared stream, then `runUntilIdle()`.
///
/// Checkpoints are the partition's, not the runs' own (make runs without a checkpoint
/// interval): `checkpoint(caughtUpTo: S)` records in every location's checkpoint that
/// it has seen every line below `S`. After a crash, `resume` opens the locations that
/// have state and answers where to read the shared stream again: the least of their
/// positions; each run drops what it had before.
public final class LocationRuns {
    public let streamName: String
    public let batchLines: Int
    /// Makes the run of a location: its job, state directory and outputs. Its line
    /// stream is set here.
    let makeRun: (String) throws -> JobRun
    /// The locations' runs, in the order they were opened.
    public private(set) var locations: [String] = []
    private var runs: [String: (inbox: LocationInbox, run: OpenedRun)] = [:]
    /// Locations with lines pushed since their run last went idle.
    private var pending: [String] = []

    public init(streamName: String, batchLines: Int, makeRun: @escaping (String) throws -> JobRun) {
        self.streamName = streamName
        self.batchLines = batchLines
        self.makeRun = makeRun
    }

    /// Opens the runs of `locations` (those that have state) where their newest
    /// checkpoints left them; returns the stream sequence to read from again, the least
    /// of their positions (1 with none).
    public func resume(_ locations: [String]) throws -> Int64 {
        for location in locations where runs[location] == nil { try open(location, next: 1) }
        return runs.values.map(\.inbox.next).min() ?? 1
    }

    /// The next line of the shared stream (`origin.lineNumber` is its sequence), for
    /// `location`, whose run is opened on its first line.
    public func push(_ line: InputLine, location: String) throws {
        if runs[location] == nil { try open(location, next: line.origin.lineNumber) }
        let inbox = runs[location]!.inbox
        let had = inbox.hasLines
        inbox.push(line)
        if !had && inbox.hasLines { pending.append(location) }
    }

    /// Runs every location with lines until it has taken them all.
    public func runUntilIdle(afterBatch: (String, RunProgress) throws -> Void = { _, _ in }) throws {
        let due = pending
        pending.removeAll(keepingCapacity: true)
        for location in due {
            let run = runs[location]!.run
            if try !run.runUntilIdle(afterBatch: { try afterBatch(location, $0) }) { try run.idle() }
        }
    }

    /// A checkpoint of every location's run, each recording that every line below
    /// `sequence` has been delivered (call it between batches, after `runUntilIdle`).
    public func checkpoint(caughtUpTo sequence: Int64) throws {
        precondition(pending.isEmpty, "checkpoint(caughtUpTo:) with lines waiting")
        for location in locations {
            let (inbox, run) = runs[location]!
            inbox.caughtUp(to: sequence)
            // A turn with no line lets the job's sources take the new position in.
            _ = try run.runUntilIdle()
            try run.checkpoint()
        }
    }

    /// The shared stream has ended (a finite input): every run takes its last lines and
    /// finishes, as a replay does at the end of its file; returns their reports.
    public func finish() throws -> [String: RunReport] {
        for (inbox, _) in runs.values { inbox.end() }
        var reports: [String: RunReport] = [:]
        for location in locations {
            let run = runs[location]!.run
            if !run.isFinished {
                while try !run.runUntilIdle() {}
                try run.finish()
            }
            reports[location] = try run.close()
        }
        pending.removeAll()
        return reports
    }

    /// A location's run between batches (its statistics, its latest checkpoint).
    public func progress(of location: String) -> RunProgress? { runs[location]?.run.progress }

    /// Gives every run up: its newest checkpoint stands.
    public func abandon() {
        for (_, run) in runs.values { run.abandon() }
    }

    private func open(_ location: String, next: Int64) throws {
        let inbox = LocationInbox(location: location, next: next)
        let run = try makeRun(location)
        let (stream, lines) = (streamName, batchLines)
        run.lineStream = LineStreamInput(name: stream) { LocationLineSource(inbox: inbox, streamName: stream, batchLines: lines) }
        runs[location] = (inbox, try run.open())
        locations.append(location)
    }
}
