/// Writes each record as one JSON line to an output (a file, or a stream's subject).
///
/// The encoder appends the record's line, `\n` included, to a reused buffer; the buffer
/// goes to the file once per batch. Watermarks are not written.
///
/// A sink fed by several paths of the graph (dead letters found by decoding and by
/// dedup) can restore input order: given `inputOrder`, it holds records until the
/// stream's progress has passed them (see `Batch.progress`) and writes them sorted by
/// their input order.
public final class JSONLinesSink<Record>: BatchConsumer {
    let file: any RecordOutput
    let encode: (Record, inout [UInt8]) -> Void
    let inputOrder: ((Record) -> InputOrder)?
    var buffer: [UInt8] = []
    var pending: [Record] = []
    public private(set) var recordsWritten: Int64 = 0

    public init(file: any RecordOutput, inputOrder: ((Record) -> InputOrder)? = nil,
                encode: @escaping (Record, inout [UInt8]) -> Void) {
        self.file = file
        self.encode = encode
        self.inputOrder = inputOrder
        buffer.reserveCapacity(1 << 16)
    }

    public func consume(_ batch: Batch<Record>) throws {
        guard inputOrder != nil else {
            if !batch.records.isEmpty { try write(batch.records) }
            return
        }
        pending.append(contentsOf: batch.records)
        if let progress = batch.progress { try writeCompleted(before: progress) }
    }

    /// Writes, in input order, the pending records before `progress`.
    func writeCompleted(before progress: InputOrder) throws {
        guard let order = inputOrder, !pending.isEmpty else { return }
        var done: [(Int, Record)] = []
        var kept: [Record] = []
        for (i, record) in pending.enumerated() {
            if order(record) < progress { done.append((i, record)) } else { kept.append(record) }
        }
        guard !done.isEmpty else { return }
        done.sort { a, b in
            let pa = order(a.1), pb = order(b.1)
            return pa != pb ? pa < pb : a.0 < b.0
        }
        pending = kept
        try write(done.map(\.1))
    }

    func write(_ records: [Record]) throws {
        buffer.removeAll(keepingCapacity: true)
        let encode = self.encode
        for record in records { encode(record, &buffer) }
        try file.appendRows(buffer)
        recordsWritten += Int64(records.count)
    }

    public func finish() throws {
        try writeCompleted(before: .end)
        try file.sync()
    }
}

/// The output's rows are the sink's real state: the checkpoint records the output's
/// committed length (see `RecordOutput`) and recovery opens the output at it. The sink itself keeps the
/// count of records written, and must hold no record back at a checkpoint.
extension JSONLinesSink: CheckpointedOperator {
    public func snapshot(into writer: inout StateWriter) throws {
        guard pending.isEmpty else {
            throw CheckpointError("the sink of \(file.outputName) holds \(pending.count) records at a checkpoint")
        }
        writer.write(recordsWritten)
    }

    public func restore(from reader: inout StateReader) throws {
        recordsWritten = try reader.readInt64()
    }
}
