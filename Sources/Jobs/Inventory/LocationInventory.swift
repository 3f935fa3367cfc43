import Dataflow
import Operators

/// What the inventory of a location produces: decisions, alerts and availability changes.
public enum InventoryEffect: Sendable {
    case decision(ReservationDecision)
    case alert(StockAlert)
    case availability(AvailabilityChange)

    /// The payload of each case, or `nil`: what splitting the effects by kind routes on.
    public var decision: ReservationDecision? { if case .decision(let d) = self { d } else { nil } }
    public var alert: StockAlert? { if case .alert(let a) = self { a } else { nil } }
    public var availability: AvailabilityChange? { if case .availability(let c) = self { c } else { nil } }
}

/// Reservations and stock of one location (spec sections 5 and 6), keyed by location.
///
/// Per record, against the stage's watermark before it: expiries due have happened
/// (timers at `event_time + ttl_ms`, firing in time order, then in the order the
/// reservations were made), so a commit or release that arrives before the watermark
/// reaches a reservation's expiry wins, and one after it is `already_expired`.
/// Every change of a SKU's availability is checked for downward crossings of the
/// low-stock threshold and of 0, and reported to the global rollup.
public struct LocationInventory: KeyedProcessFunction {
    public typealias Key = String
    public typealias Input = InventoryInput
    public typealias Output = InventoryEffect
    /// A timer's scope is the reservation it expires.
    public typealias TimerScope = String

    public let lowStockThreshold: Int64
    public let defaultTTLMs: Int64
    /// How long (event time) a finished reservation is remembered after it finished, so
    /// that a repeated id gets its first decision again: then it is deleted, and state
    /// stays bounded on an endless stream. The dedup horizon in the jobs.
    public let finishedRetentionMs: Int64
    var stock: MapState<String, String, StockLevel>!
    /// By location, then reservation id (the namespace): entries of finished
    /// reservations carry an expiry.
    var reservations: ValueState<String, String, Reservation>!

    public init(lowStockThreshold: Int64 = 5, defaultTTLMs: Int64 = 15 * 60_000,
                finishedRetentionMs: Int64 = 24 * 3_600_000) {
        self.lowStockThreshold = lowStockThreshold
        self.defaultTTLMs = defaultTTLMs
        self.finishedRetentionMs = finishedRetentionMs
    }

    public mutating func open(_ state: StateScope) throws {
        stock = try state.mapState("stock")
        reservations = try state.valueState("reservations")
    }

    /// Stores a reservation that has finished at `time` (rejected, committed, released
    /// or expired): remembered for `finishedRetentionMs` more.
    func remember(finished reservation: Reservation, _ location: String, _ id: String, at time: Int64) throws {
        let (until, overflow) = time.addingReportingOverflow(finishedRetentionMs)
        try reservations.put(location, id, reservation, expiringAt: overflow ? .max : until)
    }

    public mutating func processElement(_ input: InventoryInput, key location: String, context: ProcessContext<Self>) throws {
        switch input {
        case .transaction(let tx):
            let sign: Int64 = tx.kind == .sale ? -1 : 1
            let changes = tx.items.map { ReservationLine(sku: $0.sku, qty: $0.qty) }.mergedBySKU()
            for change in changes {
                try changeStock(location, change.sku, at: tx.eventTime, context) { $0.onHand &+= sign &* change.qty }
            }
        case .event(let event):
            try apply(event.action, location, at: event.eventTime, context)
        case .clock:
            return  // a clock reading moves the stage's watermark (`assignWatermarks`) and changes no stock
        }
    }

    mutating func apply(_ action: InventoryAction, _ location: String, at time: Int64, _ context: ProcessContext<Self>) throws {
        switch action {
        case .stockSet(_, let sku, let qty):
            try changeStock(location, sku, at: time, context) { $0.onHand = qty }
        case .stockAdjust(_, let sku, let delta):
            try changeStock(location, sku, at: time, context) { $0.onHand &+= delta }
        case .reserve(let id, let orderID, let lines, let ttl):
            try reserve(id, orderID: orderID, lines: lines.mergedBySKU(), ttlMs: ttl ?? defaultTTLMs,
                        location, at: time, context)
        case .commit(let id):
            try finish(id, as: .committed, location, at: time, context)
        case .release(let id):
            try finish(id, as: .released, location, at: time, context)
        }
    }

    mutating func reserve(_ id: String, orderID: String, lines: [ReservationLine], ttlMs: Int64,
                          _ location: String, at time: Int64, _ context: ProcessContext<Self>) throws {
        if let seen = try reservations.get(location, id) {
            context.emit(.decision(seen.firstDecision))
            return
        }
        var misfits: [ReservationDecision.Line] = []
        for line in lines {
            let available = try stock.get(location, line.sku)?.available ?? 0
            if line.qty > available { misfits.append(.init(sku: line.sku, qty: line.qty, available: available)) }
        }
        if !misfits.isEmpty {
            let decision = ReservationDecision(reservationID: id, orderID: orderID, location: location, outcome: .rejected,
                                               reason: .insufficientStock, eventTime: time, lines: misfits)
            try remember(finished: Reservation(status: .rejected, lines: lines, expiresAt: time, firstDecision: decision),
                         location, id, at: time)
            context.emit(.decision(decision))
            return
        }
        var accepted: [ReservationDecision.Line] = []
        for line in lines {
            let after = try changeStock(location, line.sku, at: time, context) { $0.reserved &+= line.qty }
            accepted.append(.init(sku: line.sku, qty: line.qty, available: after))
        }
        let (sum, overflow) = time.addingReportingOverflow(ttlMs)
        let expiresAt = overflow ? .max : sum
        let decision = ReservationDecision(reservationID: id, orderID: orderID, location: location, outcome: .accepted,
                                           eventTime: time, lines: accepted)
        try reservations.put(location, id, Reservation(status: .open, lines: lines, expiresAt: expiresAt, firstDecision: decision))
        context.registerTimer(at: expiresAt, key: location, scope: id)
        context.emit(.decision(decision))
    }

    /// A commit or release.
    mutating func finish(_ id: String, as outcome: ReservationDecision.Outcome, _ location: String, at time: Int64,
                         _ context: ProcessContext<Self>) throws {
        func rejected(_ reason: ReservationDecision.Reason) {
            context.emit(.decision(ReservationDecision(reservationID: id, orderID: nil, location: location, outcome: .rejected,
                                                       reason: reason, eventTime: time)))
        }
        guard var reservation = try reservations.get(location, id) else { return rejected(.unknownReservation) }
        switch reservation.status {
        case .rejected: return rejected(.unknownReservation)
        case .committed: return rejected(.alreadyCommitted)
        case .released: return rejected(.alreadyReleased)
        case .expired: return rejected(.alreadyExpired)
        case .open: break
        }
        for line in reservation.lines {
            try changeStock(location, line.sku, at: time, context) { level in
                level.reserved &-= line.qty
                if outcome == .committed { level.onHand &-= line.qty }
            }
        }
        reservation.status = outcome == .committed ? .committed : .released
        try remember(finished: reservation, location, id, at: time)
        context.deleteTimer(at: reservation.expiresAt, key: location, scope: id)
        context.emit(.decision(ReservationDecision(reservationID: id, orderID: nil, location: location, outcome: outcome,
                                                   eventTime: time)))
    }

    /// An open reservation's time ran out: its stock is available again.
    public mutating func onTimer(_ time: Int64, key location: String, scope id: String, context: ProcessContext<Self>) throws {
        guard var reservation = try reservations.get(location, id), reservation.status == .open else { return }
        for line in reservation.lines {
            try changeStock(location, line.sku, at: time, context) { $0.reserved &-= line.qty }
        }
        reservation.status = .expired
        try remember(finished: reservation, location, id, at: time)
        context.emit(.decision(ReservationDecision(reservationID: id, orderID: nil, location: location, outcome: .expired,
                                                   eventTime: time)))
    }

    /// Changes one SKU's stock, creating its entry if needed; reports downward
    /// crossings and the change of availability. Returns the availability after.
    @discardableResult
    func changeStock(_ location: String, _ sku: String, at time: Int64, _ context: ProcessContext<Self>,
                     _ change: (inout StockLevel) -> Void) throws -> Int64 {
        let (before, after, isNew) = try stock.update(location, sku) { level -> (Int64, Int64, Bool) in
            let isNew = level == nil
            var current = level ?? StockLevel()
            let before = current.available
            change(&current)
            level = current
            return (before, current.available, isNew)
        }
        if before >= lowStockThreshold && after < lowStockThreshold {
            context.emit(.alert(StockAlert(kind: .lowStock(threshold: lowStockThreshold), location: location, sku: sku,
                                           available: after, eventTime: time)))
        }
        if before >= 0 && after < 0 {
            context.emit(.alert(StockAlert(kind: .oversold, location: location, sku: sku, available: after, eventTime: time)))
        }
        if after != before || isNew {
            context.emit(.availability(AvailabilityChange(sku: sku, delta: after &- before, newLocation: isNew, eventTime: time)))
        }
        return after
    }
}
