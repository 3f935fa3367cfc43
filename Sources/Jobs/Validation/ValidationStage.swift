import Dataflow
import Operators

/// The validation stage every retail job starts with: decode and check each line,
/// then drop duplicates; the watermark is assigned over the accepted transactions.
public struct ValidationStage {
    /// Accepted transactions, in input order, carrying the stage's watermark.
    public let valid: Stream<Transaction>
    /// Every rejected line, each with its reason.
    public let deadLetters: Stream<DeadLetter>
    /// Valid inventory events, when the lines are a mixed stream.
    public let inventoryEvents: Stream<InventoryEvent>?

    /// - Parameter mixed: the lines carry inventory events as well as transactions.
    public init(lines: Stream<InputLine>, files: [InputFile], options: JobOptions, mixed: Bool = false) throws {
        let decoding = TransactionDecoding(decoder: TransactionDecoder(totalMismatch: options.totalMismatch), files: files,
                                           inventory: mixed ? InventoryLineDecoder() : nil)
        lines.attach("validate", decoding)
        let graph = lines.graph
        let checked = Stream(graph: graph, port: decoding.valid)
        let rejected = Stream(graph: graph, port: decoding.invalid)
        let deduplicated = try checked
            .keyBy { TransactionKey(storeID: $0.storeID, txID: $0.txID) }
            .process("dedup", DeduplicateTransactions(horizonMs: options.dedupHorizonMs),
                     assigningWatermarks: WatermarkAssignment(outOfOrdernessMs: options.outOfOrdernessMs) { $0.eventTime })
        valid = deduplicated.main
        inventoryEvents = mixed ? Stream(graph: graph, port: decoding.events) : nil
        deadLetters = rejected.union("dead-letters", deduplicated.side)
    }
}
