import Dataflow
import Testing
@testable import Operators

/// The runner with sources that can have nothing for a while (a live input): an idle
/// source holds back none of the others, and the run ends when every source has ended.
@Suite struct JobRunnerTests {
    @Test func anIdleSourceLetsTheOthersGoOnAndTheRunWaitsForItsEnd() throws {
        let graph = JobGraph()
        let feed = ScriptedSource<Int>.Feed()
        let live = CollectingSink<Int>(), file = CollectingSink<Int>()
        graph.source("live", ScriptedSource(feed)).sink("live-sink", live)
        graph.source("file", ArraySource([1, 2, 3], batchSize: 1)).sink("file-sink", file)
        let runner = JobRunner(graph)

        #expect(try runner.runUntilIdle() == false)
        #expect(file.records == [1, 2, 3] && file.isFinished)
        #expect(live.records.isEmpty && !live.isFinished)

        feed.push(Batch(records: [7, 8]))
        #expect(try runner.runUntilIdle() == false)
        #expect(live.records == [7, 8] && !runner.isFinished)

        feed.end()
        #expect(try runner.runUntilIdle() == true)
        #expect(live.isFinished && runner.isFinished)
    }

    @Test func runAsksAgainAfterEachIdleTurnUntilTheEnd() throws {
        let graph = JobGraph()
        let feed = ScriptedSource<Int>.Feed()
        let sink = CollectingSink<Int>()
        graph.source("live", ScriptedSource(feed)).sink("sink", sink)
        var idleTurns = 0
        var batches = 0
        try JobRunner(graph).run(afterBatch: { _ in batches += 1 }, whenIdle: {
            idleTurns += 1
            if idleTurns < 3 { feed.push(Batch(records: [idleTurns])) } else { feed.end() }
        })
        #expect(sink.records == [1, 2] && sink.isFinished)
        #expect(idleTurns == 3 && batches == 2)
    }
}

/// Two operators with one id would share state and checkpoints: the job is refused
/// before anything runs, with the id named, instead of a crash.
@Suite struct OperatorIDTests {
    @Test func anIDDeclaredTwiceStopsTheRunBeforeItStartsNamingTheID() throws {
        let graph = JobGraph()
        let sink = CollectingSink<Int>()
        graph.source("numbers", ArraySource([1, 2, 3])).map("double") { $0 * 2 }.map("double") { $0 + 1 }.sink("out", sink)
        let error = #expect(throws: JobError.self) { try JobRunner(graph).run() }
        #expect(error?.description.contains("'double'") == true)
        #expect(sink.records.isEmpty)
    }
}
