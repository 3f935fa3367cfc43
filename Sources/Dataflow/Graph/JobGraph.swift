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

    public init(state: any StateBackend = MemoryStateBackend()) {
        self.state = state
    }

    /// Claims `id` for one operator. Two operators with one id would share state and
    /// checkpoints, so that is a mistake in the job's definition.
    public func register(_ id: OperatorID) {
        precondition(!known.contains(id), "operator id '\(id)' is used twice in one job")
        known.insert(id)
        operatorIDs.append(id)
    }

    /// Adds a source whose batches go to `port`.
    public func addSource<S: Source>(_ id: OperatorID, _ source: S, to port: OutputPort<S.Output>) {
        register(id)
        sources.append(SourceNode(id: id, source: source, port: port))
    }

    /// Where each source stands, by source id.
    public var sourcePositions: [(OperatorID, SourcePosition)] {
        sources.map { ($0.id, $0.position) }
    }
}

/// A source with its output port, type-erased once so that the runner can drive
/// sources of different record types.
protocol SourceDriver: AnyObject {
    var id: OperatorID { get }
    var position: SourcePosition { get }
    /// Emits the next batch; `false` once the source is exhausted.
    func pump() throws -> Bool
    func finish() throws
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

    var position: SourcePosition { source.position }

    func pump() throws -> Bool {
        guard let batch = try source.next() else { return false }
        try port.emit(batch)
        return true
    }

    func finish() throws { try port.finish() }
}
