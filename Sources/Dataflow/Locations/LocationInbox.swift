/// The lines of one location, taken from a stream shared by many locations and waiting
/// for that location's run: what turns one stream into a stream per location.
///
/// `next` is the stream sequence below which every line of the location has been
/// delivered to its run: a checkpoint records it (as the run's `SequenceOffset`), and a
/// line pushed again below it after a restart is dropped. Between batches, a partition
/// that has pushed every line below `S` and seen the runs take them raises every
/// location's `next` to `S` (`caughtUp(to:)`), so that a quiet location does not hold
/// the shared stream's restart point back.
public final class LocationInbox {
    public let location: String
    public private(set) var next: Int64
    private var waiting: [InputLine] = []
    private var head = 0
    /// No line will come again (a finite input ended).
    public private(set) var isEnded = false

    public init(location: String, next: Int64) {
        self.location = location
        self.next = next
    }

    /// Whether lines wait for the run.
    public var hasLines: Bool { head < waiting.count }

    /// Queues `line` (its `origin.lineNumber` is its stream sequence) unless it was
    /// delivered before.
    public func push(_ line: InputLine) {
        guard line.origin.lineNumber >= next else { return }
        waiting.append(line)
    }

    /// Up to `max` waiting lines, in the order pushed.
    func take(max: Int) -> [InputLine] {
        let end = min(waiting.count, head + max)
        let lines = Array(waiting[head ..< end])
        head = end
        if head == waiting.count {
            waiting.removeAll(keepingCapacity: true)
            head = 0
        }
        if let last = lines.last { next = last.origin.lineNumber + 1 }
        return lines
    }

    /// Every line below `sequence` has been pushed and delivered.
    public func caughtUp(to sequence: Int64) {
        precondition(!hasLines, "caughtUp(to:) with lines waiting")
        next = max(next, sequence)
    }

    /// Continues from a checkpoint's `next`.
    func seek(to sequence: Int64) { next = sequence }

    /// The input has ended: once the waiting lines are taken, the run's source ends.
    public func end() { isEnded = true }
}
