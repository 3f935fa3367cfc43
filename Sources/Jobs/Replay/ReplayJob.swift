import Dataflow
import Operators

/// A retail job wired from input files to JSONL files in an output directory: what
/// `tillflow replay` runs. Backfill and live runs share this wiring.
public final class ReplayJob {
    public let kind: JobKind
    public let graph: JobGraph
    public let statistics = ReplayStatistics()
    public let inputs: [InputFile]
    public let options: JobOptions
    /// The job's output files by name, as checkpoints commit their lengths.
    public private(set) var outputs: [(name: String, file: OutputFile)] = []
    private let source: TransactionLineSource
    private let resumingFrom: CheckpointManifest?

    /// Opens every input (a missing or unreadable file fails here, before any output is
    /// written) and creates the job's output files in `outputDirectory`, empty.
    ///
    /// Given the checkpoint a run resumes from (its state already in `state`), the output
    /// files are cut back to the lengths it committed and the operators and the source
    /// are put back where they were.
    public init(_ kind: JobKind, inputs: [InputFile], outputDirectory: String, options: JobOptions,
                state: any StateBackend = MemoryStateBackend(), resumingFrom checkpoint: CheckpointManifest? = nil) throws {
        self.kind = kind
        self.inputs = inputs
        self.options = options
        self.resumingFrom = checkpoint
        graph = JobGraph(state: state)
        let (stage, source) = try ValidationStage.reading(inputs, into: graph, options: options, mixed: kind.includesInventory)
        self.source = source
        graph.registerCheckpointed("replay-statistics", RunCounts(statistics, source))
        let stats = statistics

        // Above parallelism 1, the valid output and the turnover windows run on a thread of
        // their own, beside decoding and dedup (the inventory stage stays with dedup, where
        // the inventory events are); the windows are split into `parallelism` key
        // partitions there, each on a thread of its own.
        let accepted = options.parallelism > 1 ? stage.valid.exchange("accepted-exchange") : stage.valid
        accepted.sink("valid-sink", JSONLinesSink(file: try output("valid.jsonl", in: outputDirectory)) { tx, out in
            stats.valid += 1
            if tx.validJSON.isEmpty { tx.writeJSON(into: &out) } else { out.append(contentsOf: tx.validJSON) }
        })
        let names = inputs.map(\.baseName)
        let invalid = JSONLinesSink<DeadLetter>(
            file: try output("invalid.jsonl", in: outputDirectory),
            inputOrder: { $0.origin.position }
        ) { letter, out in
            stats.invalidByReason[letter.rejection.reason, default: 0] += 1
            letter.writeJSON(into: &out, sourceName: names[Int(letter.origin.fileIndex)])
        }
        stage.deadLetters.sink("invalid-sink", invalid)
        if kind.includesTurnover { try wireTurnover(accepted, options: options, outputDirectory: outputDirectory) }
        if kind.includesInventory {
            try wireInventory(stage.valid, stage.inventoryEvents!, options: options, outputDirectory: outputDirectory)
        }
        if let checkpoint {
            guard checkpoint.job == identity else {
                throw CheckpointError("checkpoint \(checkpoint.id) was taken by another job or with other settings (\(checkpoint.job))")
            }
            try graph.restore(operators: checkpoint.operators, sources: checkpoint.sources)
        }
    }

    /// What a checkpoint must have been taken by to restore into this job: the job, its
    /// inputs (path and size) and every setting that changes results.
    public var identity: String { Self.identity(kind, inputs: inputs, options: options) }

    public static func identity(_ kind: JobKind, inputs: [InputFile], options o: JobOptions) -> String {
        let files = inputs.map { "\($0.path)(\(Directory.fileSize($0.path) ?? -1) bytes)" }.joined(separator: " ")
        return "\(kind.rawValue) window=\(o.windowMs)ms out-of-orderness=\(o.outOfOrdernessMs)ms "
            + "allowed-lateness=\(o.allowedLatenessMs)ms total-mismatch=\(o.totalMismatch.rawValue) "
            + "dedup-horizon=\(o.dedupHorizonMs)ms low-stock=\(o.lowStockThreshold) reservation-ttl=\(o.reservationTTLMs)ms "
            + "batch=\(o.batchLines) inputs: \(files)"
    }

    /// Whether the run this job resumes had already finished: nothing left to do.
    public var isFinished: Bool { resumingFrom?.finished ?? false }

    /// Per-store turnover windows, the global rollup and the late records.
    private func wireTurnover(_ valid: Stream<Transaction>, options: JobOptions, outputDirectory: String) throws {
        let stats = statistics
        let window = TumblingWindow(sizeMs: options.windowMs, allowedLatenessMs: options.allowedLatenessMs)
        let stores = try valid
            .keyBy { TurnoverKey(storeID: $0.storeID, currency: $0.currency) }
            .window("turnover-window", window, eventTime: { $0.eventTime }, aggregate: TurnoverAggregator(),
                    partitions: options.parallelism)
        stores.results.sink("turnover-sink", JSONLinesSink(file: try output("turnover.jsonl", in: outputDirectory)) { row, out in
            if row.revision == 0 { stats.windowsFired += 1 } else { stats.windowRevisions += 1 }
            row.writeJSON(into: &out)
        })
        stores.late.sink("late-sink", JSONLinesSink(file: try output("late.jsonl", in: outputDirectory)) { late, out in
            stats.late += 1
            late.record.writeJSON(into: &out, lateByMs: late.lateByMs)
        })
        let rollup = try stores.results
            .keyBy { $0.key.currency }
            .window("rollup-window", window, eventTime: { $0.windowStart }, aggregate: RollupAggregator())
        rollup.results.sink("rollup-sink", JSONLinesSink(file: try output("rollup.jsonl", in: outputDirectory)) { row, out in
            stats.rollupRows += 1
            row.writeJSON(into: &out)
        })
        rollup.late.sink("rollup-late-check", RejectEverything<LateRecord<StoreTurnover>>(
            "a store row reached the rollup after its window's allowed lateness"))
    }

    /// Stock and reservations per location over valid transactions and inventory events
    /// in input order, with the inventory stage's own watermark; decisions, alerts and
    /// the global availability rollup.
    private func wireInventory(_ valid: Stream<Transaction>, _ events: Stream<InventoryEvent>, options: JobOptions,
                               outputDirectory: String) throws {
        let stats = statistics
        let inputs = valid.map("inventory-transactions") { InventoryInput.transaction($0) }
            .mergeInInputOrder("inventory-input", [events.map("inventory-events") { InventoryInput.event($0) }]) {
                $0.origin.position
            }
            .assignWatermarks("inventory-watermark", outOfOrdernessMs: options.outOfOrdernessMs) { $0.eventTime }
        let effects = try inputs
            .keyBy { $0.location }
            .process("inventory", LocationInventory(lowStockThreshold: options.lowStockThreshold,
                                                    defaultTTLMs: options.reservationTTLMs,
                                                    finishedRetentionMs: options.dedupHorizonMs))
            .main
        events.sink("inventory-event-count", CountingSink { stats.inventoryEvents += $0 })
        let decisions = JSONLinesSink<ReservationDecision>(file: try output("decisions.jsonl", in: outputDirectory)) { d, out in
            stats.decisionsByOutcome[d.outcome == .rejected ? "rejected" : d.outcome.name, default: 0] += 1
            d.writeJSON(into: &out)
        }
        let alerts = JSONLinesSink<StockAlert>(file: try output("alerts.jsonl", in: outputDirectory)) { a, out in
            stats.alerts += 1
            a.writeJSON(into: &out)
        }
        effects.flatMap("inventory-decisions") { (e: InventoryEffect, out: inout [ReservationDecision]) in
            if case .decision(let d) = e { out.append(d) }
        }.sink("decisions-sink", decisions)
        effects.flatMap("inventory-alerts") { (e: InventoryEffect, out: inout [StockAlert]) in
            if case .alert(let a) = e { out.append(a) }
        }.sink("alerts-sink", alerts)
        let rows = try effects
            .flatMap("inventory-availability") { (e: InventoryEffect, out: inout [AvailabilityChange]) in
                if case .availability(let c) = e { out.append(c) }
            }
            .keyBy { $0.sku }
            .process("availability", AvailabilityRollup())
            .main
        rows.sink("availability-sink", JSONLinesSink(file: try output("availability.jsonl", in: outputDirectory)) { row, out in
            stats.availabilityRows += 1
            row.writeJSON(into: &out)
        })
    }

    private func output(_ name: String, in directory: String) throws -> OutputFile {
        var length: Int64? = nil
        if let checkpoint = resumingFrom {
            guard let committed = checkpoint.outputLength(name) else {
                throw CheckpointError("checkpoint \(checkpoint.id) has no length for output \(name)")
            }
            length = committed
        }
        let file = try OutputFile(path: directory + "/" + name, truncatingTo: length)
        outputs.append((name, file))
        return file
    }

    /// Lines read so far and decompressed bytes consumed.
    public var linesRead: Int64 { source.linesRead }
    public var bytesRead: Int64 { source.bytesRead }

    /// Runs the job to the end of its inputs and closes the outputs. With `checkpoints`,
    /// a fresh run is checkpointed before its first record (so that a crash at any moment
    /// can resume), then as the coordinator's interval says, and once more after the end
    /// of input, marked finished. A resumed run that had finished does nothing.
    public func run(checkpoints: CheckpointCoordinator? = nil, afterBatch: ((ReplayJob) throws -> Void)? = nil) throws {
        if !isFinished {
            do {
                if let checkpoints, checkpoints.latest == nil { try checkpoints.checkpoint() }
                try JobRunner(graph).run(afterBatch: { [unowned self] _ in
                    try checkpoints?.checkpointIfDue()
                    try afterBatch?(self)
                })
                try checkpoints?.checkpoint(finished: true)
            } catch {
                // Operators on other threads finish what they were given before the
                // failure is reported: nothing writes to the outputs after `run` returns.
                try? graph.drain()
                throw error
            }
        }
        for (_, file) in outputs { try file.close() }
    }
}

/// What a run has counted (the summary's figures, lines and bytes read), carried through
/// checkpoints so that a resumed run's summary covers the whole input.
final class RunCounts: CheckpointedOperator {
    let statistics: ReplayStatistics
    let source: TransactionLineSource

    init(_ statistics: ReplayStatistics, _ source: TransactionLineSource) {
        self.statistics = statistics
        self.source = source
    }

    func snapshot(into writer: inout StateWriter) throws {
        writer.write(source.linesRead)
        writer.write(source.bytesRead)
        statistics.encode(to: &writer)
    }

    func restore(from reader: inout StateReader) throws {
        let lines = try reader.readInt64()
        let bytes = try reader.readInt64()
        source.restoreCounts(linesRead: lines, bytesRead: bytes)
        try statistics.restore(from: &reader)
    }
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
