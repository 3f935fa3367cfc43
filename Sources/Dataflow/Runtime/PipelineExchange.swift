import Dispatch
import Synchronization

/// Where a job crosses from one thread to another: the operators after a pipeline
/// exchange run on a thread of their own, taking the stream's batches in order from a
/// bounded queue, while the operators before it go on with the next batches.
///
/// What holds:
/// - batches, marks, progress and the end of input cross in stream order, so the
///   operators after the exchange see exactly the stream they would see inline;
/// - at most `capacity` batches wait in the queue: a producer that gets ahead waits for
///   a free place (backpressure, bounded memory);
/// - `drain()` returns once everything handed over has been processed: the moment the
///   checkpoint coordinator may read the state of the operators after it (the queue's
///   hand-over orders their writes before its reads);
/// - a failure after the exchange (a disk that fails) stops the job: it is thrown to
///   the producer at its next batch, drain or finish, and nothing more is processed.
public final class PipelineExchange<Record: Sendable>: BatchConsumer, ThreadBoundary {
    public let output = OutputPort<Record>()
    private let queue: DispatchQueue
    private let places: DispatchSemaphore
    private let failed = Atomic<Bool>(false)
    /// Written on the exchange's thread before `failed` is set; read after a drain.
    private nonisolated(unsafe) var failure: (any Error)?
    public let capacity: Int

    public init(label: String = "tillflow.exchange", capacity: Int = 4) {
        precondition(capacity > 0)
        queue = DispatchQueue(label: label)
        places = DispatchSemaphore(value: capacity)
        self.capacity = capacity
    }

    public func consume(_ batch: Batch<Record>) throws {
        if failed.load(ordering: .acquiring) { try drain() }
        places.wait()
        queue.async { [self] in
            defer { places.signal() }
            guard !failed.load(ordering: .relaxed) else { return }
            do {
                try output.emit(batch)
            } catch {
                failure = error
                failed.store(true, ordering: .releasing)
            }
        }
    }

    public func finish() throws {
        try drain()
        queue.sync {
            do {
                try output.finish()
            } catch {
                failure = error
                failed.store(true, ordering: .releasing)
            }
        }
        if let failure { throw failure }
    }

    public func drain() throws {
        queue.sync {}
        if let failure { throw failure }
    }
}

/// A place in a job where operators run on another thread: before a checkpoint reads
/// their state, everything handed to them must have been processed.
public protocol ThreadBoundary: AnyObject {
    /// Waits until everything handed over has been processed; throws what failed there.
    func drain() throws
}
