import Dataflow
import Testing
@testable import Operators

@Suite struct StatelessOperatorTests {
    @Test func mapFilterAndFlatMapKeepWatermarksBeforeTheRecordsTheyPreceded() throws {
        let filter = FlatMapOperator<Int, Int> { x, out in if x % 2 == 0 { out.append(x); out.append(-x) } }
        let sink = CollectingSink<Int>()
        filter.output.attach(sink)
        try filter.consume(Batch(records: [1, 2, 3, 4], marks: [
            WatermarkMark(index: 1, watermark: Watermark(10)), WatermarkMark(index: 3, watermark: Watermark(20)),
            WatermarkMark(index: 4, watermark: Watermark(30)),
        ]))
        let described = sink.events.map { e -> String in
            switch e {
            case .record(let r): "\(r)"
            case .watermark(let w): "wm\(w.time)"
            }
        }
        #expect(described == ["wm10", "2", "-2", "wm20", "4", "-4", "wm30"])
    }

    @Test func splitRoutesEachRecordToTheFirstOutputThatTakesItAndGivesEveryOutputEveryWatermark() throws {
        let graph = JobGraph()
        let sales = (1 ... 9).map { Sale(store: "s", time: Int64($0) * 10, amount: Int64($0)) }
        let (fizz, buzz, rest) = graph.source("src", ArraySource(sales, batchSize: 4))
            .assignWatermarks("wm", outOfOrdernessMs: 0) { $0.time }
            .split("fizzbuzz",
                   { $0.amount % 3 == 0 ? "fizz \($0.amount)" : nil },
                   { $0.amount % 5 == 0 ? $0.amount * 100 : nil },
                   { $0.amount })
        let a = CollectingSink<String>(), b = CollectingSink<Int64>(), c = CollectingSink<Int64>()
        fizz.sink("a", a)
        buzz.sink("b", b)
        rest.sink("c", c)
        try JobRunner(graph).run()
        #expect(a.records == ["fizz 3", "fizz 6", "fizz 9"])
        #expect(b.records == [500])
        #expect(c.records == [1, 2, 4, 7, 8])
        // Advances with no record of an output between them come out as one mark.
        #expect(c.watermarks.count > 3 && a.watermarks.last != nil)
        #expect(a.watermarks.last == b.watermarks.last && b.watermarks.last == c.watermarks.last)
        #expect(a.progress == b.progress && b.progress == c.progress && a.progress.count == 3)
        #expect(a.isFinished && b.isFinished && c.isFinished)
    }

    @Test func aRecordNoOutputOfASplitTakesStopsTheJobInsteadOfVanishing() throws {
        let graph = JobGraph()
        let (evens, multiplesOfThree) = graph.source("src", ArraySource([2, 3, 5, 6]))
            .split("partial", { $0 % 2 == 0 ? $0 : nil }, { $0 % 3 == 0 ? $0 : nil })
        evens.sink("a", CollectingSink<Int>())
        multiplesOfThree.sink("b", CollectingSink<Int>())
        let error = #expect(throws: JobError.self) { try JobRunner(graph).run() }
        #expect(error?.description.contains("5") == true)
    }

    @Test func unionForwardsTheMinimumWatermarkAndFinishesAfterAllInputs() throws {
        let union = UnionOperator<Int>(inputs: 2)
        let sink = CollectingSink<Int>()
        union.output.attach(sink)
        let left = union.input(0), right = union.input(1)
        try left.consume(Batch(records: [1], marks: [WatermarkMark(index: 1, watermark: Watermark(100))]))
        #expect(sink.watermarks.isEmpty)  // right is still at -inf
        try right.consume(Batch(records: [2], marks: [WatermarkMark(index: 1, watermark: Watermark(50))]))
        #expect(sink.watermarks == [Watermark(50)])
        try right.finish()
        #expect(sink.watermarks == [Watermark(50), Watermark(100)])
        #expect(!sink.isFinished)
        try left.finish()
        #expect(sink.isFinished)
        #expect(sink.records == [1, 2])
    }

    @Test func stableOperatorIDsAreUniqueInAJob() {
        let graph = JobGraph()
        let s = graph.source("src", ArraySource([1]))
        _ = s.map("double") { $0 * 2 }
        #expect(graph.operatorIDs == ["src", "double"])
    }
}
