import Dataflow
import Testing
@testable import Operators

/// Progress is the runtime's, not each operator's: a source states where it stands
/// (its offset), the runtime stamps every source batch with the progress that offset
/// implies, and operators joining paths combine it with a `ProgressFrontier`.
@Suite struct ProgressTests {
    @Test func theRuntimeStampsEachSourceBatchWithItsOffsetsProgress() throws {
        let graph = JobGraph()
        let sink = CollectingSink<Int>()
        graph.source("numbers", ArraySource([1, 2, 3, 4, 5], batchSize: 2)).sink("out", sink)
        try JobRunner(graph).run()
        #expect(sink.progress == [3, 5, 6].map { InputOrder(split: 0, sequence: $0) })
    }

    @Test func aScriptedBatchCarriesTheProgressOfItsSourceNotItsOwn() throws {
        let graph = JobGraph()
        let feed = ScriptedSource<Int>.Feed()
        let sink = CollectingSink<Int>()
        graph.source("live", ScriptedSource(feed)).sink("out", sink)
        feed.push(Batch(records: [1], progress: InputOrder(split: 9, sequence: 99)))
        feed.push(Batch(records: [2]))
        _ = try JobRunner(graph).runUntilIdle()
        #expect(sink.progress == [InputOrder(split: 0, sequence: 2), InputOrder(split: 0, sequence: 3)])
    }

    @Test func aFrontierIsHeldBackByAnInputThatHasSaidNothingAndNotByAFinishedOne() {
        var frontier = ProgressFrontier(inputs: 3)
        frontier.advance(0, to: InputOrder(split: 1, sequence: 10))
        frontier.advance(1, to: InputOrder(split: 0, sequence: 50))
        #expect(frontier.combined == nil)
        frontier.advance(2, to: InputOrder(split: 1, sequence: 3))
        #expect(frontier.combined == InputOrder(split: 0, sequence: 50))
        frontier.advance(1, to: nil)
        #expect(frontier.combined == InputOrder(split: 0, sequence: 50))
        frontier.finish(1)
        #expect(frontier.combined == InputOrder(split: 1, sequence: 3))
        frontier.finish(0)
        frontier.finish(2)
        #expect(frontier.combined == .end)
    }

    @Test func aFrontierComesBackFromItsEncodingAsItWas() throws {
        var frontier = ProgressFrontier(inputs: 2)
        frontier.advance(1, to: InputOrder(split: 2, sequence: 7))
        var writer = StateWriter(capacity: 16)
        frontier.encode(to: &writer)
        var reader = StateReader(writer.bytes)
        #expect(try ProgressFrontier.decode(from: &reader) == frontier)
        #expect(reader.isAtEnd)
    }

    /// `SourcePosition` compared by line but was equal only with the same byte offset;
    /// input order has no byte offset, so equality and order agree.
    @Test func inputOrdersAreEqualExactlyWhenNeitherIsBeforeTheOther() {
        let orders = [InputOrder.start, InputOrder(split: 0, sequence: 1), InputOrder(split: 0, sequence: 2),
                      InputOrder(split: 1, sequence: 1), InputOrder(split: 1, sequence: 1), .end]
        for a in orders {
            for b in orders { #expect((a == b) == (!(a < b) && !(b < a))) }
        }
    }

    /// A union's output progress is its inputs' frontier; a union of two paths of one
    /// source states no progress until both paths have.
    @Test func aUnionForwardsTheLeastProgressOfItsInputs() throws {
        let union = UnionOperator<Int>(inputs: 2)
        let sink = CollectingSink<Int>()
        union.output.attach(sink)
        try union.input(0).consume(Batch(records: [1], progress: InputOrder(split: 0, sequence: 4)))
        try union.input(1).consume(Batch(records: [2], progress: InputOrder(split: 0, sequence: 2)))
        try union.input(0).finish()
        #expect(sink.progress == [InputOrder(split: 0, sequence: 2), InputOrder(split: 0, sequence: 2)])
        try union.input(1).consume(Batch(records: [], progress: InputOrder(split: 0, sequence: 9)))
        #expect(sink.progress.last == InputOrder(split: 0, sequence: 9))
    }
}
