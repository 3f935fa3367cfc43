import Dataflow
import Testing
@testable import Operators

/// A record tagged with the input line it came from.
struct Tagged: Equatable {
    var line: Int64
    var name: String
}

@Suite struct OrderedMergeTests {
    @Test func pathsSplitFromOneSourceComeBackInInputOrder() throws {
        let graph = JobGraph()
        let lines = (1 ... 20).map { Tagged(line: Int64($0), name: $0 % 3 == 0 ? "fizz" : "plain") }
        let (fizz, plain) = graph.source("src", ArraySource(lines, batchSize: 4))
            .split("route", { $0.name == "fizz" ? $0 : nil }, { $0 })
        let shouted = fizz.map("shout") { Tagged(line: $0.line, name: "FIZZ") }
        let merged = shouted.mergeInInputOrder("merge", [plain]) { InputOrder(split: 0, sequence: $0.line) }
        let sink = CollectingSink<Tagged>()
        merged.sink("sink", sink)
        try JobRunner(graph).run()
        #expect(sink.records.map(\.line) == Array(1 ... 20))
        #expect(sink.records.filter { $0.name == "FIZZ" }.count == 6)
        #expect(sink.isFinished)
    }

    @Test func nothingIsReleasedBeforeEveryInputHasPassedIt() throws {
        let merge = OrderedMerge<Tagged>(inputs: 2) { InputOrder(split: 0, sequence: $0.line) }
        let sink = CollectingSink<Tagged>()
        merge.output.attach(sink)
        let a = merge.input(0), b = merge.input(1)
        try a.consume(Batch(records: [Tagged(line: 2, name: "a")], progress: InputOrder(split: 0, sequence: 5)))
        #expect(sink.records.isEmpty)  // b may still deliver line 1
        try b.consume(Batch(records: [Tagged(line: 1, name: "b"), Tagged(line: 6, name: "b")], progress: InputOrder(split: 0, sequence: 7)))
        #expect(sink.records.map(\.line) == [1, 2])  // 6 waits for a to pass it
        try a.finish()
        #expect(sink.records.map(\.line) == [1, 2, 6])
        try b.finish()
        #expect(sink.isFinished)
    }
}

@Suite struct AssignWatermarksTests {
    @Test func upstreamMarksAreReplacedByTheStagesOwnWatermark() throws {
        let op = AssignWatermarks<Sale>(outOfOrdernessMs: 100) { $0.time }
        let sink = CollectingSink<Sale>()
        op.output.attach(sink)
        try op.consume(Batch(
            records: [Sale(store: "a", time: 1_000, amount: 0), Sale(store: "a", time: 900, amount: 0),
                      Sale(store: "a", time: 1_500, amount: 0)],
            marks: [WatermarkMark(index: 0, watermark: Watermark(5_000))]))
        #expect(sink.watermarks == [Watermark(900), Watermark(1_400)])
    }
}
