/// Runs a job graph to the end of its (finite) inputs on the calling thread.
///
/// Sources take turns, one batch each, in the order they were added, so a run is a
/// pure function of the inputs. When a source is exhausted its consumers are finished:
/// the watermark becomes `Watermark.end` downstream and everything pending happens.
public struct JobRunner {
    public let graph: JobGraph

    public init(_ graph: JobGraph) { self.graph = graph }

    /// - Parameter afterBatch: called after every source batch has fully propagated
    ///   through the graph (every operator call is synchronous), with the graph: the
    ///   moment a checkpoint can be taken. Not called after a source's end of input.
    public func run(afterBatch: (JobGraph) throws -> Void = { _ in }) throws {
        var active = graph.sources
        while !active.isEmpty {
            var stillActive: [any SourceDriver] = []
            for source in active {
                if try source.pump() {
                    stillActive.append(source)
                    try afterBatch(graph)
                } else {
                    try source.finish()
                }
            }
            active = stillActive
        }
    }
}
