import Dataflow

extension Stream where Record: Sendable {
    /// The same stream, processed from here on on a thread of its own (`PipelineExchange`):
    /// the operators attached to the result run concurrently with those before it, and
    /// see exactly the stream they would see inline.
    public func exchange(_ id: OperatorID, capacity: Int = 4) -> Stream<Record> {
        let exchange = PipelineExchange<Record>(label: "tillflow.\(id)", capacity: capacity)
        graph.register(id, boundary: exchange)
        port.attach(exchange)
        return Stream(graph: graph, port: exchange.output)
    }
}
