#if canImport(Glibc)
import Glibc
#endif

/// Runs a job graph on the calling thread: its sources take turns, one batch each, in
/// the order they were added, so a run is a pure function of the inputs. A source that
/// has nothing now (`idle`) lets the others go on; one that has ended has its consumers
/// finished: the watermark becomes `Watermark.end` downstream and everything pending
/// happens.
public final class JobRunner {
    public let graph: JobGraph
    /// The sources not yet ended, in turn order.
    private var active: [any SourceDriver]

    public init(_ graph: JobGraph) {
        self.graph = graph
        active = graph.sources
    }

    /// Whether every source has ended.
    public var isFinished: Bool { active.isEmpty }

    /// Runs until every source has ended.
    ///
    /// - Parameters:
    ///   - afterBatch: called after every source batch has fully propagated through the
    ///     graph (every operator call is synchronous), with the graph: the moment a
    ///     checkpoint can be taken. Not called after a source's end of input.
    ///   - whenIdle: called when every source left is idle, before they are asked again
    ///     (by default, a millisecond's pause).
    public func run(afterBatch: (JobGraph) throws -> Void = { _ in },
                    whenIdle: () throws -> Void = { usleep(1_000) }) throws {
        while try !runUntilIdle(afterBatch: afterBatch) { try whenIdle() }
    }

    /// Gives the sources turns until every one has ended (`true`) or every one left is
    /// idle (`false`: ask again later).
    @discardableResult
    public func runUntilIdle(afterBatch: (JobGraph) throws -> Void = { _ in }) throws -> Bool {
        try graph.checkOperatorIDs()
        while !active.isEmpty {
            var stillActive: [any SourceDriver] = []
            var emitted = false
            for source in active {
                switch try source.pump() {
                case .emitted:
                    emitted = true
                    stillActive.append(source)
                    try afterBatch(graph)
                case .idle:
                    stillActive.append(source)
                case .ended:
                    try source.finish()
                }
            }
            active = stillActive
            if !emitted && !active.isEmpty { return false }
        }
        return true
    }
}
