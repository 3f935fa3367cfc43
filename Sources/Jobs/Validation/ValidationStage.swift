import Dataflow
import Operators

/// The validation stage every retail job starts with: decode and check each line,
/// then drop duplicates; the watermark is assigned over the accepted transactions and
/// the clock marks.
public struct ValidationStage {
    /// Accepted transactions, in input order, carrying the stage's watermark.
    public let valid: Stream<Transaction>
    /// Every rejected line, each with its reason.
    public let deadLetters: Stream<DeadLetter>
    /// Valid inventory events, when the lines are a mixed stream.
    public let inventoryEvents: Stream<InventoryEvent>?
    /// The clock marks among the lines (live.md section 1), in input order. They have
    /// moved the stage's watermark already; a later stage with a watermark of its own
    /// merges them with its records.
    public let clockMarks: Stream<ClockMark>

    /// Reads `files` into `graph` through a `TransactionLineSource` (source `input`,
    /// its CSV headers checkpointed as `validate`) decoding on `options.parallelism`
    /// threads, and validates what it delivers.
    ///
    /// - Parameter mixed: the lines carry inventory events as well as transactions.
    public static func reading(_ files: [InputFile], into graph: JobGraph, options: JobOptions,
                               mixed: Bool = false) throws -> (stage: ValidationStage, source: TransactionLineSource<FileLineSource>) {
        try reading(lines: FileLineSource(files: files, batchLines: options.batchLines), into: graph, options: options,
                    mixed: mixed)
    }

    /// Reads what the job is given: its line stream if it has one (a live run), else
    /// its input files.
    public static func reading(_ context: JobContext, options: JobOptions,
                               mixed: Bool = false) throws -> (stage: ValidationStage, source: any ReadCounting) {
        func open<Lines: LineSource>(_ lines: Lines) throws -> (stage: ValidationStage, source: any ReadCounting) {
            let (stage, source) = try reading(lines: lines, into: context.graph, options: options, mixed: mixed)
            return (stage, source)
        }
        if let stream = context.lineStream { return try open(try stream.open()) }
        return try open(try FileLineSource(files: context.inputs, batchLines: options.batchLines))
    }

    /// Reads `lines` into `graph` through a `TransactionLineSource` (source `input`, its
    /// CSV headers checkpointed as `validate`), and validates what it delivers.
    public static func reading<Lines: LineSource>(lines: Lines, into graph: JobGraph, options: JobOptions,
                                                  mixed: Bool = false) throws -> (stage: ValidationStage, source: TransactionLineSource<Lines>) {
        let decoding = TransactionDecoding(decoder: TransactionDecoder(totalMismatch: options.totalMismatch),
                                           inventory: mixed ? InventoryLineDecoder() : nil,
                                           writesValidJSON: options.parallelism > 1)
        let source = TransactionLineSource(lines: lines, decoding: decoding, parallelism: options.parallelism)
        let decoded = graph.source("input", source)
        graph.registerCheckpointed("validate", source)
        return (try ValidationStage(decoded: decoded, options: options, mixed: mixed), source)
    }

    /// Validates decoded chunks: routes them, then deduplicates the transactions.
    public init(decoded: Stream<DecodedChunk>, options: JobOptions, mixed: Bool = false) throws {
        let routing = DecodedChunkRouting()
        decoded.attach("route-decoded", routing)
        let graph = decoded.graph
        let checked = Stream(graph: graph, port: routing.valid)
        let rejected = Stream(graph: graph, port: routing.invalid)
        let deduplicated = try checked
            .keyBy { TransactionKey(storeID: $0.storeID, txID: $0.txID) }
            .process("dedup", DeduplicateTransactions(horizonMs: options.dedupHorizonMs),
                     assigningWatermarks: WatermarkAssignment(outOfOrdernessMs: options.outOfOrdernessMs) { $0.eventTime })
        valid = deduplicated.main
        inventoryEvents = mixed ? Stream(graph: graph, port: routing.events) : nil
        clockMarks = Stream(graph: graph, port: routing.clocks)
        deadLetters = rejected.union("dead-letters", deduplicated.side)
    }
}
