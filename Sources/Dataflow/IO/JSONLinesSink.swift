/// Writes each record as one JSON line to a file.
///
/// The encoder appends the record's line, `\n` included, to a reused buffer; the buffer
/// goes to the file once per batch. Watermarks are not written.
public final class JSONLinesSink<Record>: BatchConsumer {
    let file: OutputFile
    let encode: (Record, inout [UInt8]) -> Void
    var buffer: [UInt8] = []
    public private(set) var recordsWritten: Int64 = 0

    public init(file: OutputFile, encode: @escaping (Record, inout [UInt8]) -> Void) {
        self.file = file
        self.encode = encode
        buffer.reserveCapacity(1 << 16)
    }

    public func consume(_ batch: Batch<Record>) throws {
        guard !batch.records.isEmpty else { return }
        buffer.removeAll(keepingCapacity: true)
        let encode = self.encode
        for record in batch.records { encode(record, &buffer) }
        try file.append(buffer)
        recordsWritten += Int64(batch.records.count)
    }

    public func finish() throws {
        try file.sync()
    }
}
