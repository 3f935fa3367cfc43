import Jobs
/// The inventory generator's own account of spec section 5 over the lines it writes, in
/// their order: on-hand and reserved per slot, reservations and their expiry by the
/// watermark. The generator consults it to write realistic traffic (deliveries refill
/// what runs low, a reservation meant to be rejected asks for more than is available,
/// follow-ups depend on the decision) and to predict the expiries it reports.
///
/// It follows the job's defaults: a 2 s out-of-orderness bound, a 15 min TTL. Only the
/// generator's slots exist here: every valid line it writes names a carried SKU.
struct StockLedger {
    static let outOfOrderness: Int64 = 2000
    static let defaultTTL: Int64 = 900_000

    /// What became of a reservation id at its location.
    enum State: UInt8 {
        /// Never reserved (an id no valid `reserve` used).
        case unseen
        case rejected, open, committed, released, expired
    }

    /// What a `commit` or `release` did.
    enum Finish: Equatable {
        case committed, released
        case unknownReservation, alreadyCommitted, alreadyReleased, alreadyExpired
    }

    private(set) var onHand: [Int]
    private(set) var reserved: [Int]
    /// Largest event time of the valid lines so far, minus the bound.
    private(set) var watermark = Int64.min
    /// Expiries so far.
    private(set) var expiries = 0

    // Reservations by number (`r-000042` is 42), 0 unused.
    private var states: [State] = [.unseen]
    private var locations: [Int32] = [0]
    private var expiryTimes: [Int64] = [0]
    /// Merged lines of reservation `n`: `lineSlots[lineStart[n] ..< lineStart[n] + lineCount[n]]`.
    private var lineStart: [Int32] = [0]
    private var lineCount: [Int8] = [0]
    private var lineSlots: [Int32] = []
    private var lineQuantities: [Int32] = []
    /// Open reservations by (expiry time, number).
    private var pending = MinHeap<Expiry>()

    private struct Expiry: Comparable {
        var time: Int64
        var number: Int
        static func < (a: Expiry, b: Expiry) -> Bool { (a.time, a.number) < (b.time, b.number) }
    }

    init(slots: Int) {
        onHand = Array(repeating: 0, count: slots)
        reserved = Array(repeating: 0, count: slots)
    }

    @inline(__always)
    func available(_ slot: Int) -> Int { onHand[slot] - reserved[slot] }

    func state(of number: Int, at location: Int) -> State {
        number < states.count && locations[number] == Int32(location) ? states[number] : .unseen
    }

    func expiryTime(of number: Int) -> Int64 { expiryTimes[number] }

    // MARK: Changes, each followed by `advance(to:)` with the line's event time

    mutating func setStock(_ slot: Int, _ qty: Int) { onHand[slot] = qty }

    mutating func adjust(_ slot: Int, by delta: Int) { onHand[slot] += delta }

    /// A `reserve` of `slots`/`quantities` (repeats allowed) for reservation `number` at
    /// `location`: all or nothing; an id seen before changes nothing and gets its first
    /// decision again. Returns whether it is (or was) accepted.
    mutating func reserve(_ number: Int, location: Int, slots: [Int], quantities: [Int], ttl: Int64?, at time: Int64) -> Bool {
        if number < states.count && states[number] != .unseen {
            precondition(locations[number] == Int32(location), "reservation ids are reused only at their location")
            return states[number] != .rejected
        }
        while states.count <= number {
            states.append(.unseen)
            locations.append(0)
            expiryTimes.append(0)
            lineStart.append(Int32(lineSlots.count))
            lineCount.append(0)
        }
        // Merge repeated SKUs (a few lines, so quadratically).
        var merged: [(slot: Int, qty: Int)] = []
        for (slot, qty) in zip(slots, quantities) {
            if let k = merged.firstIndex(where: { $0.slot == slot }) { merged[k].qty += qty } else { merged.append((slot, qty)) }
        }
        locations[number] = Int32(location)
        guard merged.allSatisfy({ $0.qty <= available($0.slot) }) else {
            states[number] = .rejected
            return false
        }
        states[number] = .open
        lineStart[number] = Int32(lineSlots.count)
        lineCount[number] = Int8(merged.count)
        for line in merged {
            reserved[line.slot] += line.qty
            lineSlots.append(Int32(line.slot))
            lineQuantities.append(Int32(line.qty))
        }
        expiryTimes[number] = time + (ttl ?? Self.defaultTTL)
        pending.insert(Expiry(time: expiryTimes[number], number: number))
        return true
    }

    /// A `commit` (or `release`) of reservation `number` at `location`.
    mutating func finish(_ number: Int, location: Int, commit: Bool) -> Finish {
        switch state(of: number, at: location) {
        case .unseen, .rejected: return .unknownReservation
        case .committed: return .alreadyCommitted
        case .released: return .alreadyReleased
        case .expired: return .alreadyExpired
        case .open:
            states[number] = commit ? .committed : .released
            for k in lines(of: number) {
                let slot = Int(lineSlots[k]), qty = Int(lineQuantities[k])
                reserved[slot] -= qty
                if commit { onHand[slot] -= qty }
            }
            return commit ? .committed : .released
        }
    }

    /// A valid line at `eventTime` was taken: the watermark may rise, and reservations
    /// whose expiry it reaches expire.
    mutating func advance(to eventTime: Int64) {
        let candidate = eventTime - Self.outOfOrderness
        guard candidate > watermark else { return }
        watermark = candidate
        expire(through: watermark)
    }

    /// The end of the stream: every reservation still open expires.
    mutating func finishStream() {
        watermark = .max
        expire(through: .max)
    }

    private mutating func expire(through time: Int64) {
        while let next = pending.min, next.time <= time {
            pending.removeMin()
            guard states[next.number] == .open else { continue }
            states[next.number] = .expired
            expiries += 1
            for k in lines(of: next.number) { reserved[Int(lineSlots[k])] -= Int(lineQuantities[k]) }
        }
    }

    /// Where reservation `number`'s merged lines are in `lineSlots` and `lineQuantities`.
    private func lines(of number: Int) -> Range<Int> {
        let first = Int(lineStart[number])
        return first ..< first + Int(lineCount[number])
    }
}
