import Dispatch
import Testing
@testable import Dataflow

/// The two ways work crosses threads: an ordered parallel map (decoding) and a pipeline
/// exchange (operators on a thread of their own). Out-of-order completion is forced with
/// semaphores, not sleeps.
@Suite struct ExchangeTests {
    @Test func resultsComeBackInSubmissionOrderWhateverOrderWorkersFinishIn() {
        // Input 0 cannot finish before input 1 has: with two workers, 1 is done first.
        let oneDone = DispatchSemaphore(value: 0)
        let map = OrderedParallelMap<Int, String>(workers: 2, capacity: 4) { i in
            if i == 0 { oneDone.wait() }
            if i == 1 { oneDone.signal() }
            return "r\(i)"
        }
        for i in 0 ..< 4 { map.submit(i) }
        var results: [String] = []
        while let r = map.next() { results.append(r) }
        #expect(results == ["r0", "r1", "r2", "r3"])
    }

    @Test func atMostCapacityInputsAreInFlight() {
        let map = OrderedParallelMap<Int, Int>(workers: 2, capacity: 3) { $0 * 2 }
        map.submit(1)
        map.submit(2)
        #expect(!map.isFull)
        map.submit(3)
        #expect(map.isFull && map.count == 3)
        #expect(map.next() == 2)
        #expect(!map.isFull)
        map.submit(4)
        #expect([map.next(), map.next(), map.next(), map.next()] == [4, 6, 8, nil])
    }

    @Test func withoutWorkersTheStepRunsInlineOnSubmit() {
        final class Calls: @unchecked Sendable { var inputs: [Int] = [] }
        let calls = Calls()
        let map = OrderedParallelMap<Int, Int>(workers: 0) { calls.inputs.append($0); return $0 + 1 }
        #expect(map.capacity == 1)
        map.submit(41)
        #expect(calls.inputs == [41])  // before any result is asked for
        #expect(map.next() == 42)
    }

    @Test func anExchangeDeliversBatchesMarksProgressAndTheEndInStreamOrder() throws {
        let exchange = PipelineExchange<Int>(capacity: 2)
        let sink = CollectingSink<Int>()
        exchange.output.attach(sink)
        var expected: [String] = []
        for b in 0 ..< 50 {
            let records = Array(b * 10 ..< b * 10 + 10)
            let batch = Batch(records: records, marks: [WatermarkMark(index: 5, watermark: Watermark(Int64(b)))],
                              progress: InputOrder(split: 0, sequence: Int64(b)))
            try exchange.consume(batch)
            expected += records[..<5].map { "r\($0)" } + ["w\(b)"] + records[5...].map { "r\($0)" }
        }
        try exchange.drain()
        let seen = sink.events.map { event -> String in
            switch event {
            case .record(let r): "r\(r)"
            case .watermark(let w): "w\(w.time)"
            }
        }
        #expect(seen == expected)
        #expect(!sink.isFinished)
        try exchange.finish()
        #expect(sink.isFinished)
    }

    struct DiskFull: Error {}

    final class FailingSink: BatchConsumer {
        var batches = 0
        func consume(_ batch: Batch<Int>) throws {
            batches += 1
            if batches == 2 { throw DiskFull() }
        }
        func finish() {}
    }

    @Test func aFailureAfterTheExchangeStopsTheJobAndNothingMoreIsProcessed() throws {
        let exchange = PipelineExchange<Int>(capacity: 1)
        let sink = FailingSink()
        exchange.output.attach(sink)
        try exchange.consume(Batch(records: [1]))
        try exchange.consume(Batch(records: [2]))
        #expect(throws: DiskFull.self) { try exchange.drain() }
        #expect(throws: DiskFull.self) { try exchange.consume(Batch(records: [3])) }
        #expect(throws: DiskFull.self) { try exchange.finish() }
        #expect(sink.batches == 2)
    }
}
