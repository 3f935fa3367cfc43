import Dataflow

/// The stateless half of the validation stage: every input line becomes either a
/// `Transaction` or a `DeadLetter` with its reason (spec sections 1-3).
///
/// A CSV file's first line is its header, not a record: it sets the file's column
/// layout, and a header that lacks a required column stops the run with a one-line error.
///
/// In a mixed stream (`inventory` given), a JSON line whose object has a `tx_id` key is
/// a transaction and every other line is an inventory event (spec section 5).
public final class TransactionDecoding: BatchConsumer {
    public let valid = OutputPort<Transaction>()
    public let invalid = OutputPort<DeadLetter>()
    /// Valid inventory events of a mixed stream.
    public let events = OutputPort<InventoryEvent>()
    let decoder: TransactionDecoder
    let inventory: InventoryLineDecoder?
    let files: [InputFile]
    var csvLayouts: [Int32: CSVLayout] = [:]
    /// The header lines read, by file: what a checkpoint keeps of this operator, since a
    /// run resumed in the middle of a CSV file does not read its header again.
    var csvHeaders: [Int32: [UInt8]] = [:]
    var validBuffer = Batch<Transaction>()
    var invalidBuffer = Batch<DeadLetter>()
    var eventBuffer = Batch<InventoryEvent>()

    public init(decoder: TransactionDecoder, files: [InputFile], inventory: InventoryLineDecoder? = nil) {
        self.decoder = decoder
        self.files = files
        self.inventory = inventory
    }

    public func consume(_ batch: Batch<InputLine>) throws {
        validBuffer.removeAll()
        invalidBuffer.removeAll()
        eventBuffer.removeAll()
        for line in batch.records {
            let result: Result<Transaction, Rejection>
            switch line.format {
            case .jsonLines:
                if let inventory {
                    switch inventory.decode(origin: line.origin, fullLength: line.fullLength) {
                    case .transaction: break
                    case .event(let event):
                        eventBuffer.append(event)
                        continue
                    case .rejected(let rejection):
                        invalidBuffer.append(DeadLetter(rejection, origin: line.origin))
                        continue
                    }
                }
                result = decoder.decodeJSON(origin: line.origin, fullLength: line.fullLength)
            case .csv:
                guard let layout = csvLayouts[line.origin.fileIndex] else {
                    try readHeader(line)
                    continue
                }
                result = decoder.decodeCSV(origin: line.origin, fullLength: line.fullLength, layout: layout)
            }
            switch result {
            case .success(let tx): validBuffer.append(tx)
            case .failure(let rejection): invalidBuffer.append(DeadLetter(rejection, origin: line.origin))
            }
        }
        validBuffer.progress = batch.progress
        invalidBuffer.progress = batch.progress
        eventBuffer.progress = batch.progress
        try valid.emit(validBuffer)
        try invalid.emit(invalidBuffer)
        try events.emit(eventBuffer)
    }

    func readHeader(_ line: InputLine) throws {
        let name = files[Int(line.origin.fileIndex)].baseName
        guard line.fullLength == line.origin.raw.count else {
            throw JobError("\(name): the CSV header line is longer than \(LineReader.maxLineBytes) bytes")
        }
        try setHeader(Array(line.origin.raw), ofFile: line.origin.fileIndex)
    }

    func setHeader(_ header: [UInt8], ofFile fileIndex: Int32) throws {
        do {
            csvLayouts[fileIndex] = try header.withUnsafeBytes { try CSVLayout(header: $0) }
            csvHeaders[fileIndex] = header
        } catch {
            throw JobError("\(files[Int(fileIndex)].baseName): \(error)")
        }
    }

    public func finish() throws {
        try valid.finish()
        try invalid.finish()
        try events.finish()
    }
}

extension TransactionDecoding: CheckpointedOperator {
    public func snapshot(into writer: inout StateWriter) throws {
        writer.write(UInt32(csvHeaders.count))
        for (file, header) in csvHeaders.sorted(by: { $0.key < $1.key }) {
            writer.write(file)
            writer.writeBytes(header)
        }
    }

    public func restore(from reader: inout StateReader) throws {
        csvLayouts = [:]
        csvHeaders = [:]
        for _ in 0 ..< (try reader.readUInt32()) {
            let file = try reader.readInt32()
            guard file >= 0, Int(file) < files.count else { throw StateDecodingError("CSV header of unknown file \(file)") }
            try setHeader(try reader.readBytes(), ofFile: file)
        }
    }
}

/// A failure that stops a job: a bad input file (not a bad record), a disk that fails.
public struct JobError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
