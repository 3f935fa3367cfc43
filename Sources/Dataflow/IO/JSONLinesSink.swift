/// Writes each record as one JSON line to a file.
///
/// The encoder appends the record's line, `\n` included, to a reused buffer; the buffer
/// goes to the file once per batch. Watermarks are not written.
///
/// A sink fed by several paths of the graph (dead letters found by decoding and by
/// dedup) can restore input order: given `inputOrder`, it holds records until the end
/// of the source batch that caused them (`sourceBatchEnded()`, called by the job when a
/// source batch has fully propagated) and writes them sorted by their input position.
public final class JSONLinesSink<Record>: BatchConsumer {
    let file: OutputFile
    let encode: (Record, inout [UInt8]) -> Void
    let inputOrder: ((Record) -> SourcePosition)?
    var buffer: [UInt8] = []
    var pending: [Record] = []
    public private(set) var recordsWritten: Int64 = 0

    public init(file: OutputFile, inputOrder: ((Record) -> SourcePosition)? = nil,
                encode: @escaping (Record, inout [UInt8]) -> Void) {
        self.file = file
        self.encode = encode
        self.inputOrder = inputOrder
        buffer.reserveCapacity(1 << 16)
    }

    public func consume(_ batch: Batch<Record>) throws {
        guard !batch.records.isEmpty else { return }
        if inputOrder != nil {
            pending.append(contentsOf: batch.records)
        } else {
            try write(batch.records)
        }
    }

    /// Writes what the last source batch produced, in input order.
    public func sourceBatchEnded() throws {
        guard let position = inputOrder, !pending.isEmpty else { return }
        let sorted = pending.enumerated().sorted { a, b in
            let pa = position(a.element), pb = position(b.element)
            if pa.fileIndex != pb.fileIndex { return pa.fileIndex < pb.fileIndex }
            if pa.lineNumber != pb.lineNumber { return pa.lineNumber < pb.lineNumber }
            return a.offset < b.offset
        }.map(\.element)
        pending.removeAll(keepingCapacity: true)
        try write(sorted)
    }

    func write(_ records: [Record]) throws {
        buffer.removeAll(keepingCapacity: true)
        let encode = self.encode
        for record in records { encode(record, &buffer) }
        try file.append(buffer)
        recordsWritten += Int64(records.count)
    }

    public func finish() throws {
        try sourceBatchEnded()
        try file.sync()
    }
}
