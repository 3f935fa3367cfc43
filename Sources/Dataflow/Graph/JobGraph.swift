/// A job being built and then run: its operators' identities, its sources, and the
/// state backend its stateful operators keep their state in.
///
/// Operators are wired as they are declared (through `Stream` in the Operators module);
/// the graph keeps what the runner needs to drive the sources and to name operators.
public final class JobGraph {
    public let state: any StateBackend
    public private(set) var operatorIDs: [OperatorID] = []
    private var known: Set<OperatorID> = []
    var sources: [any SourceDriver] = []
    /// Operators with state of their own outside the backend, in registration order.
    private var checkpointed: [(OperatorID, any CheckpointedOperator)] = []
    /// Thread boundaries, upstream ones first (the order they were declared in).
    private var boundaries: [any ThreadBoundary] = []

    public init(state: any StateBackend = MemoryStateBackend()) {
        self.state = state
    }

    /// Claims `id` for one operator. Two operators with one id would share state and
    /// checkpoints, so that is a mistake in the job's definition: it is noted here (the
    /// fluent API that declares operators does not throw) and `checkOperatorIDs` reports
    /// it before anything runs.
    public func register(_ id: OperatorID, checkpointing op: (any CheckpointedOperator)? = nil) {
        if known.contains(id) && !reusedIDs.contains(id) { reusedIDs.append(id) }
        known.insert(id)
        operatorIDs.append(id)
        if let op { checkpointed.append((id, op)) }
    }

    /// Claims `id` for something that is not on the data path but has state to
    /// checkpoint with the job (a run's statistics).
    public func registerCheckpointed(_ id: OperatorID, _ op: any CheckpointedOperator) {
        register(id, checkpointing: op)
    }

    /// Claims `id` for an operator that runs what follows it on another thread.
    public func register(_ id: OperatorID, boundary: any ThreadBoundary) {
        register(id)
        boundaries.append(boundary)
    }

    /// Operator ids declared more than once, in the order first reused.
    public private(set) var reusedIDs: [OperatorID] = []

    /// Throws, naming them, if any operator id was declared more than once.
    public func checkOperatorIDs() throws {
        guard !reusedIDs.isEmpty else { return }
        let names = reusedIDs.map { "'\($0)'" }.joined(separator: ", ")
        throw JobError("the job declares operator id\(reusedIDs.count == 1 ? "" : "s") \(names) more than once; "
            + "each operator needs an id of its own (its state and checkpoints are keyed by it)")
    }

    /// Waits until every operator has processed everything given to it, whatever thread
    /// it runs on. Upstream boundaries drain first, since draining one may hand more to
    /// those after it.
    public func drain() throws {
        for boundary in boundaries { try boundary.drain() }
    }

    /// Drains the job, then has the state backend write what waits in memory: while the
    /// input is idle, so that a checkpoint later pauses the job for less (a live job's
    /// latency).
    public func writeBackState() throws {
        try drain()
        try state.writeBack()
    }

    /// Each checkpointed operator's own state, by id: the operator part of a checkpoint.
    /// Drains the job first, so that every operator's state is as of the same moment.
    public func snapshotOperators() throws -> [(OperatorID, [UInt8])] {
        try drain()
        return try checkpointed.map { id, op in
            var writer = StateWriter(capacity: 64)
            try op.snapshot(into: &writer)
            return (id, writer.bytes)
        }
    }

    /// Puts back the operators' own state and seeks the sources: the graph is then where
    /// it was when the checkpoint was taken. The checkpoint must be of this job: an
    /// operator without state in it, or state of an operator the job does not have, is
    /// an error rather than a silent fresh start of part of the job.
    public func restore(operators: [(OperatorID, [UInt8])], sources offsets: [(OperatorID, [UInt8])]) throws {
        var blobs = Dictionary(operators, uniquingKeysWith: { a, _ in a })
        for (id, op) in checkpointed {
            guard let bytes = blobs.removeValue(forKey: id) else {
                throw CheckpointError("the checkpoint has no state for operator '\(id)': it was taken by another job")
            }
            var reader = StateReader(bytes)
            do {
                try op.restore(from: &reader)
            } catch {
                throw CheckpointError("cannot restore operator '\(id)': \(error)")
            }
            guard reader.isAtEnd else { throw CheckpointError("the state of operator '\(id)' has trailing bytes") }
        }
        if let extra = blobs.keys.first {
            throw CheckpointError("the checkpoint holds state of operator '\(extra)', which this job does not have")
        }
        let byID = Dictionary(offsets, uniquingKeysWith: { a, _ in a })
        for source in sources {
            guard let offset = byID[source.id] else {
                throw CheckpointError("the checkpoint has no offset for source '\(source.id)'")
            }
            try source.seek(toEncoded: offset)
        }
    }

    /// Adds a source whose batches go to `port`.
    public func addSource<S: Source>(_ id: OperatorID, _ source: S, to port: OutputPort<S.Output>) {
        register(id)
        sources.append(SourceNode(id: id, source: source, port: port))
    }

    /// Where each source stands, by source id, each offset in its own encoding: the
    /// source part of a checkpoint.
    public var sourceOffsets: [(OperatorID, [UInt8])] {
        sources.map { ($0.id, $0.encodedOffset) }
    }
}

/// A source with its output port, type-erased once so that the runner can drive
/// sources of different record types.
protocol SourceDriver: AnyObject {
    var id: OperatorID { get }
    var encodedOffset: [UInt8] { get }
    func seek(toEncoded offset: [UInt8]) throws
    /// Emits the source's next batch if it has one now.
    func pump() throws -> SourceStep
    func finish() throws
}

/// What one turn of a source did.
enum SourceStep {
    case emitted, idle, ended
}

final class SourceNode<S: Source>: SourceDriver {
    let id: OperatorID
    var source: S
    let port: OutputPort<S.Output>

    init(id: OperatorID, source: S, port: OutputPort<S.Output>) {
        self.id = id
        self.source = source
        self.port = port
    }

    var encodedOffset: [UInt8] {
        var writer = StateWriter(capacity: 32)
        source.offset.encode(to: &writer)
        return writer.bytes
    }

    func seek(toEncoded bytes: [UInt8]) throws {
        var reader = StateReader(bytes)
        let offset: S.Offset
        do {
            offset = try S.Offset.decode(from: &reader)
            guard reader.isAtEnd else { throw StateDecodingError("trailing bytes") }
        } catch {
            throw CheckpointError("the offset of source '\(id)' does not decode as \(S.Offset.self): \(error)")
        }
        try source.seek(to: offset)
    }

    func pump() throws -> SourceStep {
        switch try source.poll() {
        case .batch(var batch):
            batch.progress = source.offset.progress
            try port.emit(batch)
            return .emitted
        case .idle: return .idle
        case .end: return .ended
        }
    }

    func finish() throws { try port.finish() }
}
