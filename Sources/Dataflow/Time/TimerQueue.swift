/// Event-time timers of one operator: each is a (time, key) pair, where the key is
/// whatever the operator scopes its timers by (a record key and a namespace such as a window).
///
/// Each timer carries a **stamp**: the input index of the record that created it (a
/// timer registered while another fires inherits that one's stamp). What holds:
/// - registering a timer that is already registered does nothing (it keeps its place);
/// - timers fire in order of time, timers of the same time in order of stamp (spec
///   section 0: "things due at the same time happen in input order of the records that
///   created them"), and timers of the same time and stamp in the order registered;
/// - a deleted timer never fires.
///
/// Because the order depends on stamps, not on when a queue saw a registration, the
/// timers of one operator split into key partitions, each with its own queue, fire in
/// the same order as in one queue once their firings are merged by (time, stamp).
///
/// The heap holds plain (time, stamp, sequence, slot) entries and the keys sit in a
/// slab, so sifting moves 32-byte values and never retains or releases a key.
///
/// - Complexity: register, delete and each fired timer are O(log n).
public struct TimerQueue<Key: Hashable & Sendable>: Sendable {
    @usableFromInline
    struct Entry: Sendable {
        @usableFromInline var time: Int64
        @usableFromInline var stamp: UInt64
        @usableFromInline var sequence: UInt64
        @usableFromInline var slot: Int32

        @usableFromInline init(time: Int64, stamp: UInt64, sequence: UInt64, slot: Int32) {
            self.time = time
            self.stamp = stamp
            self.sequence = sequence
            self.slot = slot
        }

        @inlinable func precedes(_ other: Entry) -> Bool {
            if time != other.time { return time < other.time }
            if stamp != other.stamp { return stamp < other.stamp }
            return sequence < other.sequence
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

    /// A binary min-heap by (time, stamp, sequence).
    @usableFromInline var heap: [Entry] = []
    /// Keys of heap entries by slot; `nil` for free slots.
    @usableFromInline var keys: [Key?] = []
    @usableFromInline var freeSlots: [Int32] = []
    /// Registered timers and the sequence number of their live heap entry; entries that
    /// are not here (deleted) are dropped when they reach the top.
    @usableFromInline var live: [TimerID: UInt64] = [:]
    @usableFromInline var nextSequence: UInt64 = 0

    public init() {}

    public var count: Int { live.count }
    public var isEmpty: Bool { live.isEmpty }

    /// Registers a timer created by the record with input index `stamp`.
    @inlinable
    public mutating func register(_ key: Key, at time: Int64, stamp: UInt64) {
        let id = TimerID(time: time, key: key)
        if live[id] != nil { return }
        let sequence = nextSequence
        live[id] = sequence
        nextSequence &+= 1
        let slot: Int32
        if let free = freeSlots.popLast() {
            slot = free
            keys[Int(free)] = key
        } else {
            slot = Int32(keys.count)
            keys.append(key)
        }
        push(Entry(time: time, stamp: stamp, sequence: sequence, slot: slot))
    }

    @inlinable
    public mutating func delete(_ key: Key, at time: Int64) {
        live[TimerID(time: time, key: key)] = nil
    }

    /// The earliest registered time, if any.
    public mutating func nextTime() -> Int64? {
        while let top = heap.first {
            let key = keys[Int(top.slot)]!
            if live[TimerID(time: top.time, key: key)] == top.sequence { return top.time }
            _ = popTop()
        }
        return nil
    }

    /// Removes and returns the next timer due at `watermark`, if any.
    @inlinable
    public mutating func popDue(at watermark: Watermark) -> (time: Int64, stamp: UInt64, key: Key)? {
        while let top = heap.first, watermark.hasReached(top.time) {
            let key = popTop()
            let id = TimerID(time: top.time, key: key)
            if let sequence = live[id], sequence == top.sequence {
                live[id] = nil
                return (top.time, top.stamp, key)
            }
        }
        return nil
    }

    /// All registered timers in firing order (for snapshots and inspection).
    public func registered() -> [(time: Int64, stamp: UInt64, key: Key)] {
        heap.sorted { $0.precedes($1) }.compactMap { entry in
            let key = keys[Int(entry.slot)]!
            return live[TimerID(time: entry.time, key: key)] == entry.sequence ? (entry.time, entry.stamp, key) : nil
        }
    }

    // MARK: heap

    @inlinable
    mutating func push(_ entry: Entry) {
        heap.append(entry)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].precedes(heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes the top entry and frees its slot; returns its key.
    @inlinable
    mutating func popTop() -> Key {
        let top = heap[0]
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var parent = 0
            let n = heap.count
            while true {
                let left = 2 * parent + 1
                if left >= n { break }
                var smallest = left
                if left + 1 < n && heap[left + 1].precedes(heap[left]) { smallest = left + 1 }
                guard heap[smallest].precedes(heap[parent]) else { break }
                heap.swapAt(parent, smallest)
                parent = smallest
            }
        }
        let key = keys[Int(top.slot)]!
        keys[Int(top.slot)] = nil
        freeSlots.append(top.slot)
        return key
    }
}
