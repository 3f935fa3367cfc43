import Testing
@testable import Dataflow

@Suite struct TimerQueueTests {
    @Test func timersFireInTimeOrderThenInRegistrationOrder() {
        var q = TimerQueue<String>()
        q.register("b", at: 20)
        q.register("a", at: 10)
        q.register("c", at: 20)
        q.register("b", at: 20)  // already registered: keeps its place
        var fired: [String] = []
        while let t = q.popDue(at: Watermark(20)) { fired.append("\(t.key)@\(t.time)") }
        #expect(fired == ["a@10", "b@20", "c@20"])
        #expect(q.isEmpty)
    }

    @Test func onlyTimersTheWatermarkReachedFire() {
        var q = TimerQueue<Int>()
        for i in 0 ..< 100 { q.register(i, at: Int64(100 - i)) }
        var fired: [Int64] = []
        while let t = q.popDue(at: Watermark(50)) { fired.append(t.time) }
        #expect(fired == Array(1 ... 50).map(Int64.init))
        #expect(q.count == 50)
        #expect(q.nextTime() == 51)
    }

    @Test func aDeletedTimerNeverFiresAndItsKeyCanBeRegisteredAgain() {
        var q = TimerQueue<String>()
        q.register("x", at: 5)
        q.register("y", at: 6)
        q.delete("x", at: 5)
        q.register("x", at: 5)  // registered anew: now after y in registration order, but earlier in time
        q.delete("y", at: 6)
        var fired: [String] = []
        while let t = q.popDue(at: .end) { fired.append(t.key) }
        #expect(fired == ["x"])
    }

    @Test func aRandomScheduleFiresLikeASortedList() {
        var q = TimerQueue<Int>()
        var expected: [(Int64, Int)] = []
        var seed: UInt64 = 42
        for i in 0 ..< 2_000 {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            let time = Int64(seed >> 54)
            q.register(i, at: time)
            expected.append((time, i))
        }
        expected.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        var fired: [(Int64, Int)] = []
        while let t = q.popDue(at: .end) { fired.append((t.time, t.key)) }
        #expect(fired.map(\.0) == expected.map(\.0))
        #expect(fired.map(\.1) == expected.map(\.1))
    }
}
