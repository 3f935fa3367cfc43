import Dataflow

/// A typed stream of records in a job being built.
///
/// Each operator call takes a stable id chosen by the job's author, wires a new
/// operator behind this stream's output and returns the operator's output stream.
/// A stream may feed several operators; each gets every batch.
public struct Stream<Record> {
    public let graph: JobGraph
    public let port: OutputPort<Record>

    public init(graph: JobGraph, port: OutputPort<Record>) {
        self.graph = graph
        self.port = port
    }

    /// Attaches an operator (or sink) as a consumer of this stream.
    @inlinable
    public func attach<C: BatchConsumer>(_ id: OperatorID, _ consumer: C) where C.Input == Record {
        graph.register(id, checkpointing: consumer as? any CheckpointedOperator)
        port.attach(consumer)
    }

    /// Sends this stream into a sink.
    @inlinable
    public func sink<C: BatchConsumer>(_ id: OperatorID, _ sink: C) where C.Input == Record {
        attach(id, sink)
    }
}

extension JobGraph {
    /// Adds a source and returns the stream of its records.
    public func source<S: Source>(_ id: OperatorID, _ source: S) -> Stream<S.Output> {
        let port = OutputPort<S.Output>()
        addSource(id, source, to: port)
        return Stream(graph: self, port: port)
    }
}
