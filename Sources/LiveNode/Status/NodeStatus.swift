/// What a live process (an edge node or a cloud worker) shows on its status page and in
/// `/status.json`: plain data, taken from what the runs count anyway, so that the page
/// costs the records nothing. Times are Unix milliseconds; counts are totals since the
/// input stream's start (a restored run starts from its checkpoint's figures).
public struct NodeStatus: Codable, Sendable, Equatable {
    /// `edge node` or `worker`.
    public var role: String
    /// The node's name (its store) or the worker's id.
    public var name: String
    public var atMs: Int64
    public var connected: Bool
    /// What runs here: the edge job, or each partition and global rollup the worker owns.
    public var parts: [PartStatus]
    /// The pool's view of the jobs (a worker's page; `jobs status --json` prints one).
    public var jobs: [JobStatusReport]
    /// Each store the hub sources, with its lag (a worker's page; `stores list`).
    public var stores: [StoreSync]

    public init(role: String, name: String, atMs: Int64, connected: Bool, parts: [PartStatus] = [],
                jobs: [JobStatusReport] = [], stores: [StoreSync] = []) {
        (self.role, self.name, self.atMs, self.connected) = (role, name, atMs, connected)
        (self.parts, self.jobs, self.stores) = (parts, jobs, stores)
    }
}

/// One run's figures: a job's stages with the records each has passed on, its outputs'
/// rows, its dead letters by reason, its locations' clocks and its last checkpoint.
public struct PartStatus: Codable, Sendable, Equatable {
    /// The job's name (`edge` on an edge node, the submitted name in the pool).
    public var job: String
    /// `edge`, a partition's number, or `global`.
    public var part: String
    /// The job graph's stages in order, each after the one it names (`after`).
    public var stages: [StageCount]
    /// Rows published per output (`valid`, `turnover`, ...).
    public var outputs: [Count]
    public var deadLetters: [Count]
    public var locations: [LocationClock]
    /// Input messages after the last one read.
    public var inputLagMessages: Int64
    public var lastCheckpoint: CheckpointFigure?

    public init(job: String, part: String, stages: [StageCount], outputs: [Count], deadLetters: [Count],
                locations: [LocationClock], inputLagMessages: Int64, lastCheckpoint: CheckpointFigure?) {
        (self.job, self.part, self.stages, self.outputs, self.deadLetters) = (job, part, stages, outputs, deadLetters)
        (self.locations, self.inputLagMessages, self.lastCheckpoint) = (locations, inputLagMessages, lastCheckpoint)
    }

    public var recordsIn: Int64 { stages.first?.records ?? 0 }
    public var rowsOut: Int64 { outputs.reduce(0) { $0 + $1.count } }
    public var deadLetterCount: Int64 { deadLetters.reduce(0) { $0 + $1.count } }
}

/// A stage of a job graph and the records it has passed on.
public struct StageCount: Codable, Sendable, Equatable {
    public var name: String
    /// The stage it reads from; nil for the source.
    public var after: String?
    public var records: Int64

    public init(_ name: String, after: String?, records: Int64) {
        (self.name, self.after, self.records) = (name, after, records)
    }
}

/// A named count: an output's rows, a dead-letter reason's records.
public struct Count: Codable, Sendable, Equatable {
    public var name: String
    public var count: Int64

    public init(_ name: String, _ count: Int64) {
        (self.name, self.count) = (name, count)
    }
}

/// A location's event-time clock: its watermark, nil before its first record.
public struct LocationClock: Codable, Sendable, Equatable {
    public var location: String
    public var watermarkMs: Int64?

    public init(_ location: String, watermarkMs: Int64?) {
        (self.location, self.watermarkMs) = (location, watermarkMs)
    }
}

/// A checkpoint taken: when, how big, how long it took.
public struct CheckpointFigure: Codable, Sendable, Equatable {
    public var takenAtMs: Int64
    public var bytes: Int64
    public var durationMs: Int64?

    public init(takenAtMs: Int64, bytes: Int64, durationMs: Int64?) {
        (self.takenAtMs, self.bytes, self.durationMs) = (takenAtMs, bytes, durationMs)
    }
}

/// A store the hub sources: messages it has not copied yet, and when it last heard from it.
public struct StoreSync: Codable, Sendable, Equatable {
    public var store: String
    public var lagMessages: Int64
    /// Seconds since the hub last heard from the store's leaf; nil if never.
    public var lastHeardSeconds: Double?

    public init(store: String, lagMessages: Int64, lastHeardSeconds: Double?) {
        (self.store, self.lagMessages, self.lastHeardSeconds) = (store, lagMessages, lastHeardSeconds)
    }
}
