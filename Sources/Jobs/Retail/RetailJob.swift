import Dataflow
import Operators

/// One of the retail jobs of spec/records.md as a value: `validation`, `turnover`,
/// `inventory` or `edge` (the three over one stream, as a store's edge node runs
/// them), with its settings. `JobRun` runs it over files (`tillflow replay`); the live
/// node and the cloud worker will run the same value over streams.
public struct RetailJob: Job {
    public let kind: JobKind
    public let options: JobOptions

    public init(_ kind: JobKind, options: JobOptions = JobOptions()) {
        self.kind = kind
        self.options = options
    }

    public var name: String { kind.rawValue }
    public var outputNames: [String] { kind.outputs }

    /// Every setting that changes results (`parallelism` does not: spec section 0).
    public var settings: String {
        let o = options
        return "window=\(o.windowMs)ms out-of-orderness=\(o.outOfOrdernessMs)ms "
            + "allowed-lateness=\(o.allowedLatenessMs)ms total-mismatch=\(o.totalMismatch.rawValue) "
            + "dedup-horizon=\(o.dedupHorizonMs)ms low-stock=\(o.lowStockThreshold) reservation-ttl=\(o.reservationTTLMs)ms "
            + "batch=\(o.batchLines)"
    }

    /// Validation reads the inputs; its valid records and dead letters are written, and
    /// feed the turnover windows and the inventory stage as the job has them. Opening the
    /// inputs here makes a missing or unreadable file fail before any output is written.
    public func build(_ context: JobContext) throws -> any RunStatistics {
        let (stage, source) = try ValidationStage.reading(context, options: options, mixed: kind.includesInventory)
        let statistics = RetailStatistics(kind, source)

        // Above parallelism 1, the valid output and the turnover windows run on a thread of
        // their own, beside decoding and dedup (the inventory stage stays with dedup, where
        // the inventory events are); the windows are split into `parallelism` key
        // partitions there, each on a thread of its own.
        let accepted = options.parallelism > 1 ? stage.valid.exchange("accepted-exchange") : stage.valid
        accepted.sink("valid-sink", JSONLinesSink(file: try context.output("valid.jsonl")) { tx, out in
            statistics.valid += 1
            if tx.validJSON.isEmpty { tx.writeJSON(into: &out) } else { out.append(contentsOf: tx.validJSON) }
        })
        let invalid = try context.output("invalid.jsonl")
        stage.deadLetters.sink("invalid-sink", JSONLinesSink.deadLetters(to: invalid, names: context.inputNames) {
            statistics.invalidByReason[$0.rejection.reason, default: 0] += 1
        })
        if kind.includesTurnover { try wireTurnover(accepted, context, statistics) }
        stage.clockMarks.sink("clock-mark-count", CountingSink { statistics.clockMarks += $0 })
        stage.valid.sink("validation-watermark", WatermarkProbe { statistics.validationWatermark = $0 })
        if kind.includesInventory {
            try wireInventory(stage.valid, stage.inventoryEvents!, stage.clockMarks, context, statistics)
        }
        return statistics
    }

    /// Per-store turnover windows, the global rollup and the late records.
    private func wireTurnover(_ valid: Stream<Transaction>, _ context: JobContext, _ stats: RetailStatistics) throws {
        let window = TumblingWindow(sizeMs: options.windowMs, allowedLatenessMs: options.allowedLatenessMs)
        let stores = try valid
            .keyBy { TurnoverKey(storeID: $0.storeID, currency: $0.currency) }
            .window("turnover-window", window, eventTime: { $0.eventTime }, aggregate: TurnoverAggregator(),
                    partitions: options.parallelism)
        stores.results.sink("turnover-sink", JSONLinesSink(file: try context.output("turnover.jsonl")) { row, out in
            if row.revision == 0 { stats.windowsFired += 1 } else { stats.windowRevisions += 1 }
            row.writeJSON(into: &out)
        })
        stores.late.sink("late-sink", JSONLinesSink(file: try context.output("late.jsonl")) { late, out in
            stats.late += 1
            late.record.writeJSON(into: &out, lateByMs: late.lateByMs)
        })
        let rollup = try stores.results
            .keyBy { $0.key.currency }
            .window("rollup-window", window, eventTime: { $0.windowStart }, aggregate: RollupAggregator())
        rollup.results.sink("rollup-sink", JSONLinesSink(file: try context.output("rollup.jsonl")) { row, out in
            stats.rollupRows += 1
            row.writeJSON(into: &out)
        })
        rollup.late.sink("rollup-late-check", RejectEverything<LateRecord<StoreTurnover>>(
            "a store row reached the rollup after its window's allowed lateness"))
    }

    /// Stock and reservations per location over valid transactions and inventory events
    /// in input order, with the inventory stage's own watermark (which clock marks move
    /// too); decisions, alerts and the global availability rollup.
    private func wireInventory(_ valid: Stream<Transaction>, _ events: Stream<InventoryEvent>, _ clocks: Stream<ClockMark>,
                               _ context: JobContext, _ stats: RetailStatistics) throws {
        let inputs = valid.map("inventory-transactions") { InventoryInput.transaction($0) }
            .mergeInInputOrder("inventory-input", [events.map("inventory-events") { InventoryInput.event($0) },
                                                   clocks.map("inventory-clocks") { InventoryInput.clock($0) }]) { $0.order }
            .assignWatermarks("inventory-watermark", outOfOrdernessMs: options.outOfOrdernessMs,
                              eventTime: { $0.eventTime }, clockReading: { $0.clockTime })
        let effects = try inputs
            .keyBy { $0.location }
            .process("inventory", LocationInventory(lowStockThreshold: options.lowStockThreshold,
                                                    defaultTTLMs: options.reservationTTLMs,
                                                    finishedRetentionMs: options.dedupHorizonMs))
            .main
        events.sink("inventory-event-count", CountingSink { stats.inventoryEvents += $0 })
        let decisions = JSONLinesSink<ReservationDecision>(file: try context.output("decisions.jsonl")) { d, out in
            stats.decisionsByOutcome[d.outcome == .rejected ? "rejected" : d.outcome.name, default: 0] += 1
            d.writeJSON(into: &out)
        }
        let alerts = JSONLinesSink<StockAlert>(file: try context.output("alerts.jsonl")) { a, out in
            stats.alerts += 1
            a.writeJSON(into: &out)
        }
        let (decided, alerted, changed) = effects.split("inventory-effects", { $0.decision }, { $0.alert }, { $0.availability })
        decided.sink("decisions-sink", decisions)
        alerted.sink("alerts-sink", alerts)
        let rows = try changed
            .keyBy { $0.sku }
            .process("availability", AvailabilityRollup())
            .main
        rows.sink("availability-sink", JSONLinesSink(file: try context.output("availability.jsonl")) { row, out in
            stats.availabilityRows += 1
            row.writeJSON(into: &out)
        })
    }
}

/// Tells the watermark a stream has reached (for a live node deciding whether a clock
/// mark would move it) and keeps nothing.
final class WatermarkProbe<Record>: BatchConsumer {
    let reached: (Watermark) -> Void
    init(_ reached: @escaping (Watermark) -> Void) { self.reached = reached }
    func consume(_ batch: Batch<Record>) { if let w = batch.finalWatermark { reached(w) } }
    func finish() {}
}

/// Counts the records of a stream (for statistics) and keeps nothing.
final class CountingSink<Record>: BatchConsumer {
    let add: (Int64) -> Void
    init(_ add: @escaping (Int64) -> Void) { self.add = add }
    func consume(_ batch: Batch<Record>) { add(Int64(batch.records.count)) }
    func finish() {}
}

/// A consumer for a stream that must stay empty: a record reaching it is a broken
/// invariant of the job, reported as an error rather than dropped in silence.
final class RejectEverything<Record>: BatchConsumer {
    let what: String
    init(_ what: String) { self.what = what }
    func consume(_ batch: Batch<Record>) throws {
        if !batch.records.isEmpty { throw JobError("internal error: \(what)") }
    }
    func finish() {}
}
