import Testing
@testable import Dataflow

@Suite struct TimerQueueTests {
    @Test func timersFireInTimeOrderThenInRegistrationOrder() {
        var q = TimerQueue<String>()
        q.register("b", at: 20, stamp: 0)
        q.register("a", at: 10, stamp: 0)
        q.register("c", at: 20, stamp: 0)
        q.register("b", at: 20, stamp: 0)  // already registered: keeps its place
        var fired: [String] = []
        while let t = q.popDue(at: Watermark(20)) { fired.append("\(t.key)@\(t.time)") }
        #expect(fired == ["a@10", "b@20", "c@20"])
        #expect(q.isEmpty)
    }

    @Test func timersOfOneTimeFireInInputOrderOfTheRecordsThatCreatedThemNotInRegistrationOrder() {
        // A cleanup timer registered while record 3's window fired, after record 7 had
        // registered its own timer of the same time: record 3 created it, so it is first.
        var q = TimerQueue<String>()
        q.register("from-7", at: 50, stamp: 7)
        q.register("from-3", at: 50, stamp: 3)
        q.register("from-3-again", at: 50, stamp: 3)
        q.register("from-1-later", at: 60, stamp: 1)
        var fired: [String] = []
        while let t = q.popDue(at: .end) { fired.append("\(t.key)#\(t.stamp)") }
        #expect(fired == ["from-3#3", "from-3-again#3", "from-7#7", "from-1-later#1"])
    }

    @Test func registeredListsTimersInFiringOrderWithTheirStamps() {
        var q = TimerQueue<Int>()
        q.register(1, at: 20, stamp: 9)
        q.register(2, at: 20, stamp: 4)
        q.register(3, at: 10, stamp: 12)
        q.delete(3, at: 10)
        let listed = q.registered()
        #expect(listed.map(\.key) == [2, 1])
        #expect(listed.map(\.stamp) == [4, 9])
    }

    @Test func onlyTimersTheWatermarkReachedFire() {
        var q = TimerQueue<Int>()
        for i in 0 ..< 100 { q.register(i, at: Int64(100 - i), stamp: UInt64(i)) }
        var fired: [Int64] = []
        while let t = q.popDue(at: Watermark(50)) { fired.append(t.time) }
        #expect(fired == Array(1 ... 50).map(Int64.init))
        #expect(q.count == 50)
        #expect(q.nextTime() == 51)
    }

    @Test func aDeletedTimerNeverFiresAndItsKeyCanBeRegisteredAgain() {
        var q = TimerQueue<String>()
        q.register("x", at: 5, stamp: 0)
        q.register("y", at: 6, stamp: 1)
        q.delete("x", at: 5)
        q.register("x", at: 5, stamp: 2)  // registered anew: now after y in registration order, but earlier in time
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
            q.register(i, at: time, stamp: UInt64(i))
            expected.append((time, i))
        }
        expected.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        var fired: [(Int64, Int)] = []
        while let t = q.popDue(at: .end) { fired.append((t.time, t.key)) }
        #expect(fired.map(\.0) == expected.map(\.0))
        #expect(fired.map(\.1) == expected.map(\.1))
    }
}
