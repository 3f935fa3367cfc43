/// A sink that keeps everything it is given: records, watermark advances and the end.
/// For tests and for small jobs run in process.
public final class CollectingSink<Record>: BatchConsumer {
    public enum Event {
        case record(Record)
        case watermark(Watermark)
    }

    public private(set) var events: [Event] = []
    public private(set) var isFinished = false
    /// The progress of each batch that carried one, in arrival order.
    public private(set) var progress: [InputOrder] = []

    public init() {}

    public var records: [Record] {
        events.compactMap { if case .record(let r) = $0 { r } else { nil } }
    }

    public var watermarks: [Watermark] {
        events.compactMap { if case .watermark(let w) = $0 { w } else { nil } }
    }

    public func consume(_ batch: Batch<Record>) {
        precondition(!isFinished, "a batch arrived after the end of the stream")
        batch.forEachEvent(record: { events.append(.record($0)) }, watermark: { events.append(.watermark($0)) })
        if let p = batch.progress { progress.append(p) }
    }

    public func finish() {
        precondition(!isFinished, "the stream was finished twice")
        isFinished = true
    }
}
