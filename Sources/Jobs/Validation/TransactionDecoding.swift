import Dataflow

/// The stateless half of the validation stage: every input line becomes either a
/// `Transaction` or a `DeadLetter` with its reason (spec sections 1-3), or, in a mixed
/// stream (`inventory` given), an inventory event: a JSON line whose object has a `tx_id`
/// key is a transaction and every other line an inventory event (spec section 5). A
/// JSON line that is a clock mark (live.md section 1) becomes a `ClockMark`: it lacks
/// every field a record must have, so only a line rejected for its fields is looked at
/// again, and valid records cost nothing more.
///
/// A line's fate depends on nothing but the line (and, for CSV, its file's header), so
/// batches of lines may be decoded on any thread in any order (`TransactionLineSource`).
public struct TransactionDecoding: Sendable {
    let decoder: TransactionDecoder
    let inventory: InventoryLineDecoder?
    /// Whether valid transactions get their `valid.jsonl` line written with them
    /// (`Transaction.validJSON`): worth it where decoding runs on other threads than
    /// the rest of the job.
    let writesValidJSON: Bool

    public init(decoder: TransactionDecoder, inventory: InventoryLineDecoder? = nil, writesValidJSON: Bool = false) {
        self.decoder = decoder
        self.inventory = inventory
        self.writesValidJSON = writesValidJSON
    }

    /// Decodes lines of one file; `csvLayout` is that file's header when it is CSV.
    public func decode(_ lines: [InputLine], csvLayout: CSVLayout?) -> DecodedChunk {
        var chunk = DecodedChunk()
        chunk.transactions.reserveCapacity(lines.count)
        for line in lines {
            let result: Result<Transaction, Rejection>
            switch line.format {
            case .jsonLines:
                if let inventory {
                    switch inventory.decode(origin: line.origin, fullLength: line.fullLength) {
                    case .transaction: break
                    case .event(let event):
                        chunk.events.append(event)
                        continue
                    case .rejected(let rejection):
                        reject(line, rejection, into: &chunk)
                        continue
                    }
                }
                result = decoder.decodeJSON(origin: line.origin, fullLength: line.fullLength)
            case .csv:
                guard let csvLayout else { preconditionFailure("a CSV line decoded without its file's header") }
                result = decoder.decodeCSV(origin: line.origin, fullLength: line.fullLength, layout: csvLayout)
            }
            switch result {
            case .success(let tx): chunk.transactions.append(tx)
            case .failure(let rejection) where line.format == .csv: chunk.rejected.append(DeadLetter(rejection, origin: line.origin))
            case .failure(let rejection): reject(line, rejection, into: &chunk)
            }
        }
        if writesValidJSON { writeValidJSON(of: &chunk.transactions) }
        return chunk
    }

    /// A JSON line rejected as a record: a clock mark if it is one, else a dead letter.
    func reject(_ line: InputLine, _ rejection: Rejection, into chunk: inout DecodedChunk) {
        switch rejection.reason {
        case .missingField, .badField, .unknownCurrency:
            if let time = line.origin.raw.withUnsafeBytes({ ClockMark.time(ofLine: $0) }) {
                chunk.clocks.append(ClockMark(time: time, order: line.origin.order))
                chunk.clockPositions.append(chunk.transactions.count)
                return
            }
        default: break
        }
        chunk.rejected.append(DeadLetter(rejection, origin: line.origin))
    }

    /// Writes the transactions' lines into one buffer, then hands each its slice (slices
    /// taken while the buffer still grew would each force a copy of it).
    func writeValidJSON(of transactions: inout [Transaction]) {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(transactions.count * 320)
        var ends: [Int] = []
        ends.reserveCapacity(transactions.count)
        for tx in transactions {
            tx.writeJSON(into: &buffer)
            ends.append(buffer.count)
        }
        var start = 0
        for i in transactions.indices {
            transactions[i].validJSON = buffer[start ..< ends[i]]
            start = ends[i]
        }
    }
}

