import Dataflow
import Jobs

/// Makes the lines of one generated POS file, one call per line, and counts what it
/// made. All randomness comes from one `SeededRandom` drawn in line order, so a
/// configuration always yields the same lines.
///
/// Which lines are injected is decided by selection sampling: line `i` of `n` becomes
/// late, a duplicate or invalid with probability (still to place) / (lines left), so
/// exactly `round(fraction * count)` of each are placed, spread evenly at random.
struct POSLineMaker {
    /// How many recent valid lines are kept for re-sending as duplicates.
    static let recentCapacity = 4096

    private let config: POSGeneratorConfig
    private var random: SeededRandom
    private let catalog: ProductCatalog
    private var maker: TransactionDraftMaker
    private var schedule: TrafficSchedule
    private var lateLeft: Int
    private var duplicatesLeft: Int
    private var invalidLeft: Int
    private let invalidWeights: [(kind: POSInvalidKind, weight: Int)]
    /// The last valid in-order lines, a ring: `recent[(recentNext - k) % capacity]` is the k-th most recent.
    private var recent: [[UInt8]] = []
    private var recentNext = 0
    private var draft: TransactionDraft { maker.draft }
    /// The largest event time of the in-order records so far.
    private var latestEventTime: Int64
    private(set) var summary = POSGenerationSummary()

    init(_ config: POSGeneratorConfig) {
        self.config = config
        random = SeededRandom(seed: config.seed)
        catalog = ProductCatalog()
        maker = TransactionDraftMaker(directory: StoreDirectory(count: config.stores), catalog: catalog,
                                      start: config.start)
        schedule = TrafficSchedule(start: config.start, span: config.span, count: max(1, config.count))
        func placed(_ fraction: Double) -> Int { Int((Double(config.count) * fraction).rounded()) }
        lateLeft = placed(config.lateFraction)
        duplicatesLeft = min(placed(config.duplicateFraction), config.count - lateLeft)
        invalidLeft = min(placed(config.invalidFraction), config.count - lateLeft - duplicatesLeft)
        invalidWeights = POSInvalidKind.weights(for: config.format)
        latestEventTime = config.start
    }

    /// Appends line `index` (indexes must come in order 0, 1, ...) and its `\n`.
    mutating func appendLine(_ index: Int, to out: inout [UInt8]) {
        let linesLeft = config.count - index
        let r = random.int(below: linesLeft)
        let baseTime = schedule.baseTime(of: index)
        let lineStart = out.count
        summary.lines += 1
        if r < lateLeft {
            lateLeft -= 1
            // Behind the latest event time so far, not just its own slot: late even where traffic is sparse.
            makeValidDraft(eventTime: min(baseTime - jitter(), latestEventTime) - latePushBack())
            appendRecord(.none, to: &out)
            summary.late += 1
            countValid()
        } else if r < lateLeft + duplicatesLeft && !recent.isEmpty {
            duplicatesLeft -= 1
            out.append(contentsOf: recent[pickRecent()])
            summary.duplicates += 1
        } else if r >= lateLeft + duplicatesLeft && r < lateLeft + duplicatesLeft + invalidLeft {
            invalidLeft -= 1
            let kind = invalidWeights[random.pick(weights: invalidWeights.map(\.weight))].kind
            let eventTime = max(config.start, baseTime - jitter())
            maker.appendInvalid(kind, eventTime: eventTime, format: config.format, skus: catalog, &random, to: &out)
            summary.invalidByKind[kind, default: 0] += 1
        } else {
            makeValidDraft(eventTime: max(config.start, baseTime - jitter()))
            latestEventTime = max(latestEventTime, draft.eventTime)
            appendRecord(.none, to: &out)
            remember(out[lineStart...])
            summary.inOrder += 1
            countValid()
        }
        out.append(0x0A)
        summary.bytes += Int64(out.count - lineStart)
    }

    // MARK: Valid transactions

    /// How far back an in-order record's time is set from its base time: up to 1.5 s,
    /// inside the 2 s out-of-orderness bound.
    private mutating func jitter() -> Int64 { Int64(random.int(in: 0 ... 1500)) }

    /// How far a late record is pushed back behind the latest event time so far: 5 s to
    /// 10 min, mostly under half a minute.
    private mutating func latePushBack() -> Int64 {
        switch random.pick(weights: Self.pushBackWeights) {
        case 0: Int64(random.int(in: 5_000 ... 30_000))
        case 1: Int64(random.int(in: 30_001 ... 180_000))
        default: Int64(random.int(in: 180_001 ... 600_000))
        }
    }

    private mutating func countValid() {
        if draft.kind == .refund { summary.refunds += 1 }
        if draft.writtenTotal != draft.total && config.format == .jsonLines { summary.totalMismatches += 1 }
    }

    /// Fills the draft with a new valid transaction at `eventTime` (`TransactionDraftMaker`).
    private mutating func makeValidDraft(eventTime: Int64) {
        maker.makeValidDraft(eventTime: eventTime, skus: catalog, &random)
    }

    /// Late push back: 5-30 s, 30 s - 3 min, 3-10 min.
    private static let pushBackWeights = [60, 30, 10]

    private func appendRecord(_ fault: RecordFault, to out: inout [UInt8]) {
        maker.appendRecord(fault, format: config.format, to: &out)
    }

    // MARK: Duplicates

    private mutating func remember(_ line: ArraySlice<UInt8>) {
        if recent.count < Self.recentCapacity {
            recent.append(Array(line))
        } else {
            recent[recentNext].removeAll(keepingCapacity: true)
            recent[recentNext].append(contentsOf: line)
        }
        recentNext = (recentNext + 1) % Self.recentCapacity
    }

    /// A recent line: mostly one of the last ten (a till retrying), sometimes older.
    private mutating func pickRecent() -> Int {
        let available = recent.count
        let back = random.int(below: 10) < 7 ? random.int(in: 1 ... min(10, available)) : random.int(in: 1 ... available)
        return (recentNext - back + Self.recentCapacity) % Self.recentCapacity
    }
}
