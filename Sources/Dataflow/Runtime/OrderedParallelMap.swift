import Dispatch

/// An exchange that runs an order-independent step (decoding lines, say) on worker
/// threads and hands its results back in the order the inputs were submitted, so that
/// everything after it sees input order again.
///
/// What holds:
/// - results come out of `next()` in submission order, whatever order workers finish in;
/// - at most `capacity` inputs are in flight (submitted, result not yet taken): memory
///   is bounded, and a producer that gets ahead of the workers must take a result
///   before it may submit again (backpressure);
/// - with no workers the step runs inline in `submit`, on the caller's thread: a run
///   at parallelism 1 is the sequential program, with no thread and no waiting.
///
/// One thread owns the map (submits and takes results); workers only run `transform`
/// and publish into their own slot. The hand-over per input is one semaphore signal and
/// wait, so inputs should be batches, not records.
public final class OrderedParallelMap<Input: Sendable, Output: Sendable> {
    /// One input's result, written by its worker before `done` is signalled and read by
    /// the owner after waiting on it; the semaphore orders the two.
    private final class Slot: @unchecked Sendable {
        let done = DispatchSemaphore(value: 0)
        var output: Output?
    }

    private let transform: @Sendable (Input) -> Output
    private let queues: [DispatchQueue]
    private var inFlight: [Slot] = []
    private var oldest = 0
    private var nextQueue = 0
    /// Most inputs in flight at once.
    public let capacity: Int

    /// - Parameters:
    ///   - workers: threads running `transform`; 0 runs it inline.
    ///   - capacity: most inputs in flight; by default two per worker and one more, so
    ///     that every worker has its next input queued while the owner takes a result.
    public init(workers: Int, capacity: Int? = nil, label: String = "tillflow.worker",
                transform: @escaping @Sendable (Input) -> Output) {
        precondition(workers >= 0)
        self.transform = transform
        queues = (0 ..< workers).map { DispatchQueue(label: "\(label).\($0)") }
        self.capacity = max(1, capacity ?? 2 * workers + 1)
    }

    deinit { discardAll() }

    /// Inputs submitted whose results have not been taken.
    public var count: Int { inFlight.count - oldest }
    public var isFull: Bool { count >= capacity }
    public var workers: Int { queues.count }

    /// Hands `input` to the next worker (round robin). Call only when not `isFull`.
    public func submit(_ input: Input) {
        precondition(!isFull, "OrderedParallelMap: submit while full; take a result first")
        let slot = Slot()
        if queues.isEmpty {
            slot.output = transform(input)
            slot.done.signal()
        } else {
            let transform = self.transform
            queues[nextQueue].async {
                slot.output = transform(input)
                slot.done.signal()
            }
            nextQueue = (nextQueue + 1) % queues.count
        }
        inFlight.append(slot)
    }

    /// The result of the oldest input in flight, waiting for it if its worker is not
    /// done; `nil` when nothing is in flight.
    public func next() -> Output? {
        guard oldest < inFlight.count else { return nil }
        let slot = inFlight[oldest]
        oldest += 1
        slot.done.wait()
        let output = slot.output
        slot.output = nil
        if oldest == inFlight.count {
            inFlight.removeAll(keepingCapacity: true)
            oldest = 0
        }
        return output
    }

    /// Waits for every input in flight and drops the results (a seek, a failed run).
    public func discardAll() {
        while next() != nil {}
    }
}
