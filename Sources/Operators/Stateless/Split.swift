import Dataflow

/// Routes each record to exactly one of several typed outputs: the first whose route
/// takes it. Every output sees every watermark advance and the batch's progress, even
/// when it gets no record of the batch.
///
/// Routes are functions from the input to an optional output value, typically one per
/// case of an enum (`{ if case .alert(let a) = $0 { a } else { nil } }`), so one
/// operator replaces a chain of filters that each look at every record. A record that
/// no route takes stops the job with an error: a split that forgot a case is a bug in
/// the job, never a silent drop.
public final class SplitOperator<Input, each Output>: BatchConsumer {
    @usableFromInline let lanes: (repeat SplitLane<Input, each Output>)

    init(_ routes: repeat @escaping (Input) -> (each Output)?) {
        lanes = (repeat SplitLane(route: each routes))
    }

    @inlinable
    public func consume(_ batch: Batch<Input>) throws {
        for lane in repeat each lanes { lane.begin() }
        try batch.forEachEvent(
            record: { record in
                var taken = false
                for lane in repeat each lanes {
                    if !taken { taken = lane.take(record) }
                }
                if !taken { throw JobError("internal error: a record that no output of a split takes: \(record)") }
            },
            watermark: { watermark in
                for lane in repeat each lanes { lane.buffer.advanceWatermark(to: watermark) }
            })
        for lane in repeat each lanes { try lane.emit(progress: batch.progress) }
    }

    public func finish() throws {
        for lane in repeat each lanes { try lane.port.finish() }
    }
}

/// One output of a split: its route, its port and the batch it is filling.
public final class SplitLane<Input, Output> {
    @usableFromInline let route: (Input) -> Output?
    public let port = OutputPort<Output>()
    @usableFromInline var buffer = Batch<Output>()

    init(route: @escaping (Input) -> Output?) { self.route = route }

    @inlinable func begin() { buffer.removeAll() }

    /// Appends `record` if this lane's route takes it.
    @inlinable
    func take(_ record: Input) -> Bool {
        guard let value = route(record) else { return false }
        buffer.append(value)
        return true
    }

    @inlinable
    func emit(progress: InputOrder?) throws {
        buffer.progress = progress
        try port.emit(buffer)
    }
}

extension Stream {
    /// Splits the stream into one typed stream per route; each record goes to the first
    /// route that takes it (see `SplitOperator`).
    public func split<each Output>(_ id: OperatorID, _ routes: repeat @escaping (Record) -> (each Output)?)
        -> (repeat Stream<each Output>) {
        let op = SplitOperator(repeat each routes)
        attach(id, op)
        return (repeat Stream<each Output>(graph: graph, port: (each op.lanes).port))
    }
}
