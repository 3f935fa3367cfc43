import HeapModule

/// Event-time timers of one operator: each is a (time, key) pair, where the key is
/// whatever the operator scopes its timers by (a record key and a namespace such as a window).
///
/// What holds:
/// - registering a timer that is already registered does nothing (it keeps its place);
/// - timers fire in order of time, and timers of the same time in the order they were
///   first registered: spec section 0's "things due at the same time happen in input
///   order of the records that created them";
/// - a deleted timer never fires.
///
/// - Complexity: register, delete and each fired timer are O(log n).
public struct TimerQueue<Key: Hashable>: Sendable where Key: Sendable {
    @usableFromInline
    struct Entry: Comparable, Sendable {
        @usableFromInline var time: Int64
        @usableFromInline var sequence: UInt64
        @usableFromInline var key: Key
        @usableFromInline init(time: Int64, sequence: UInt64, key: Key) {
            self.time = time
            self.sequence = sequence
            self.key = key
        }
        @usableFromInline static func < (a: Entry, b: Entry) -> Bool {
            a.time != b.time ? a.time < b.time : a.sequence < b.sequence
        }
        @usableFromInline static func == (a: Entry, b: Entry) -> Bool {
            a.time == b.time && a.sequence == b.sequence
        }
    }

    @usableFromInline
    struct TimerID: Hashable, Sendable {
        @usableFromInline var time: Int64
        @usableFromInline var key: Key
        @usableFromInline init(time: Int64, key: Key) {
            self.time = time
            self.key = key
        }
    }

    @usableFromInline var heap = Heap<Entry>()
    /// Registered timers and the sequence number of their live heap entry; heap entries
    /// that are not here (deleted, or superseded) are skipped when they surface.
    @usableFromInline var live: [TimerID: UInt64] = [:]
    @usableFromInline var nextSequence: UInt64 = 0

    public init() {}

    public var count: Int { live.count }
    public var isEmpty: Bool { live.isEmpty }

    /// The earliest registered time, if any.
    public mutating func nextTime() -> Int64? {
        while let top = heap.min {
            if live[TimerID(time: top.time, key: top.key)] == top.sequence { return top.time }
            _ = heap.removeMin()
        }
        return nil
    }

    @inlinable
    public mutating func register(_ key: Key, at time: Int64) {
        let id = TimerID(time: time, key: key)
        if live[id] != nil { return }
        let sequence = nextSequence
        nextSequence &+= 1
        live[id] = sequence
        heap.insert(Entry(time: time, sequence: sequence, key: key))
    }

    @inlinable
    public mutating func delete(_ key: Key, at time: Int64) {
        live[TimerID(time: time, key: key)] = nil
    }

    /// Removes and returns the next timer due at `watermark`, if any.
    @inlinable
    public mutating func popDue(at watermark: Watermark) -> (time: Int64, key: Key)? {
        while let top = heap.min, watermark.hasReached(top.time) {
            let entry = heap.removeMin()
            let id = TimerID(time: entry.time, key: entry.key)
            if live[id] == entry.sequence {
                live[id] = nil
                return (entry.time, entry.key)
            }
        }
        return nil
    }

    /// All registered timers in firing order (for snapshots and inspection).
    public func registered() -> [(time: Int64, key: Key)] {
        live.map { (id, seq) in (id, seq) }
            .sorted { $0.0.time != $1.0.time ? $0.0.time < $1.0.time : $0.1 < $1.1 }
            .map { ($0.0.time, $0.0.key) }
    }
}
