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

    @Test func splitRoutesRecordsAndGivesBothBranchesEveryWatermark() throws {
        let graph = JobGraph()
        let (evens, odds) = graph.source("src", ArraySource([1, 2, 3, 4, 5]))
            .split("parity") { x -> Branch<Int, String> in x % 2 == 0 ? .first(x) : .second("odd \(x)") }
        let a = CollectingSink<Int>()
        let b = CollectingSink<String>()
        evens.sink("a", a)
        odds.sink("b", b)
        try JobRunner(graph).run()
        #expect(a.records == [2, 4])
        #expect(b.records == ["odd 1", "odd 3", "odd 5"])
        #expect(a.isFinished && b.isFinished)
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
