import NIOConcurrencyHelpers

/// Where a live process's runs post their figures and its HTTP server reads them for
/// the status page: the latest `PartStatus` of each part, the pool's view, and a sample
/// every `sampleEveryMs` over the last `keepMs` (15 minutes) for the charts and the
/// records/s of each stage. Runs post at most once a second from their own threads;
/// the lock is held for copies only.
public final class StatusBoard: Sendable {
    public static let sampleEveryMs: Int64 = 5_000
    public static let keepMs: Int64 = 15 * 60_000

    struct Contents {
        var status: NodeStatus
        var samples: [StatusSample] = []
        /// Each part's figures as posted last, at its last mark (taken every
        /// `sampleEveryMs`) and at the mark before: its rates are over 5 to 10 s.
        var latest: [String: (atMs: Int64, part: PartStatus)] = [:]
        var mark: [String: (atMs: Int64, part: PartStatus)] = [:]
        var earlier: [String: (atMs: Int64, part: PartStatus)] = [:]
        /// Each part's dead letters by reason at its marks over the last `keepMs`.
        var deadLetterMarks: [String: [(atMs: Int64, counts: [Count])]] = [:]
    }

    let contents: NIOLockedValueBox<Contents>

    public init(role: String, name: String) {
        contents = NIOLockedValueBox(Contents(status: NodeStatus(role: role, name: name, atMs: 0, connected: false)))
    }

    /// A part's figures now; samples the whole when one is due.
    public func post(_ part: PartStatus, atMs: Int64) {
        contents.withLockedValue { c in
            let key = "\(part.job)/\(part.part)"
            if let mark = c.mark[key] {
                if atMs - mark.atMs >= Self.sampleEveryMs {
                    (c.earlier[key], c.mark[key]) = (mark, (atMs, part))
                    c.deadLetterMarks[key, default: []].append((atMs, part.deadLetters))
                    c.deadLetterMarks[key]!.removeAll { atMs - $0.atMs > Self.keepMs }
                }
            } else {
                c.mark[key] = (atMs, part)
                c.deadLetterMarks[key] = [(atMs, part.deadLetters)]
            }
            c.latest[key] = (atMs, part)
            Self.sampleIfDue(&c, atMs: atMs)
        }
    }

    /// A part that left this process (handed back, failed, cancelled).
    public func remove(job: String, part: String) {
        contents.withLockedValue { c in
            for key in ["\(job)/\(part)"] {
                (c.latest[key], c.mark[key], c.earlier[key], c.deadLetterMarks[key]) = (nil, nil, nil, nil)
            }
        }
    }

    /// The process's name once it is known (a worker's id, given when it joins).
    public func named(_ name: String) {
        contents.withLockedValue { $0.status.name = name }
    }

    public func connected(_ yes: Bool) {
        contents.withLockedValue { $0.status.connected = yes }
    }

    /// The pool's view: the jobs' reports and the stores' sync lag.
    public func pool(jobs: [JobStatusReport], stores: [StoreSync]) {
        contents.withLockedValue { c in
            c.status.jobs = jobs
            c.status.stores = stores
        }
    }

    /// The status at `atMs`, the samples, and each stage's records per second (by part
    /// key `job/part`, then stage name) over the last sampling interval.
    public func snapshot(atMs: Int64) -> StatusSnapshot {
        contents.withLockedValue { c in
            var status = c.status
            status.atMs = atMs
            status.parts = c.latest.keys.sorted().map { c.latest[$0]!.part }
            var rates: [String: [String: Double]] = [:]
            for (key, latest) in c.latest {
                guard let earlier = c.earlier[key] ?? c.mark[key], latest.atMs > earlier.atMs else { continue }
                let seconds = Double(latest.atMs - earlier.atMs) / 1_000
                let before = Dictionary(earlier.part.stages.map { ($0.name, $0.records) }, uniquingKeysWith: { a, _ in a })
                rates[key] = Dictionary(latest.part.stages.map { ($0.name, Double($0.records - (before[$0.name] ?? 0)) / seconds) },
                                        uniquingKeysWith: { a, _ in a })
            }
            var recent: [String: [Count]] = [:]
            for (key, latest) in c.latest {
                let before = Dictionary((c.deadLetterMarks[key]?.first?.counts ?? []).map { ($0.name, $0.count) },
                                        uniquingKeysWith: { a, _ in a })
                let grown = latest.part.deadLetters.map { Count($0.name, $0.count - (before[$0.name] ?? 0)) }.filter { $0.count > 0 }
                if !grown.isEmpty { recent[key] = grown }
            }
            return StatusSnapshot(status: status, samples: c.samples, stageRates: rates, recentDeadLetters: recent)
        }
    }

    private static func sampleIfDue(_ c: inout Contents, atMs: Int64) {
        if let last = c.samples.last, atMs - last.atMs < sampleEveryMs { return }
        c.samples.append(StatusSample(atMs: atMs, parts: c.latest.values.map(\.part)))
        c.samples.removeAll { atMs - $0.atMs > keepMs }
    }
}

/// What the status page and `/status.json` show.
public struct StatusSnapshot: Codable, Sendable {
    public var status: NodeStatus
    /// Oldest first, over the last 15 minutes.
    public var samples: [StatusSample]
    /// Records per second of each stage, by part (`job/part`) and stage name.
    public var stageRates: [String: [String: Double]]
    /// Dead letters by reason over the last 15 minutes (or since the part came), by part;
    /// reasons with none left out.
    public var recentDeadLetters: [String: [Count]]
}
