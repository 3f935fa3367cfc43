import Dataflow

/// The input lines of a retail job (files read in order, or a live stream: any
/// `LineSource`) decoded (`TransactionDecoding`) on `parallelism` threads: batches of
/// lines go round robin to the decoding workers and come back in input order, so
/// everything downstream (dedup, watermarks, windows) sees exactly the sequence a single
/// thread would have made. A live stream with nothing new makes this source idle.
///
/// Reading runs ahead of what the job has consumed, by at most a few batches per worker
/// (`OrderedParallelMap`'s bound); so what this source reports and checkpoints is what it
/// has *delivered*: the offset, line and byte counts and CSV headers as of the last
/// batch handed downstream, not the reader's. A checkpoint is then the same at any
/// parallelism and restores at any other.
///
/// A CSV file's first line is its header, not a record: the reader takes it in input
/// order and gives the file's column layout to the workers with every later batch of the
/// file; a header that lacks a required column stops the run with a one-line error, once
/// the batches before it have been delivered. So does a failed read.
public final class TransactionLineSource<Lines: LineSource>: Source, ReadCounting {
    public typealias Output = DecodedChunk
    public typealias Offset = Lines.Offset

    /// Lines read and prepared in input order, on their way to a worker.
    struct LinesToDecode: @unchecked Sendable {
        var lines: [InputLine] = []
        var csvLayout: CSVLayout?
        /// The header read with this batch, if it started a CSV file.
        var header: (file: Int32, bytes: [UInt8])?
        var offset: Lines.Offset
        var linesRead: Int64 = 0
        var bytesRead: Int64 = 0
        /// Why reading stopped here; an error is an immutable value once made.
        var failure: (any Error)?
    }

    struct Decoded: @unchecked Sendable {
        var chunk: DecodedChunk
        var work: LinesToDecode
    }

    /// The name of each split of the lines (for errors about a CSV header).
    public let inputNames: [String]
    private var reader: Lines
    private let decoders: OrderedParallelMap<LinesToDecode, Decoded>
    private var readerDone = false
    /// The reader had nothing at its last turn (a live stream between messages).
    private var readerIdle = false
    /// The reader's CSV layouts: ahead of the job by the batches in flight.
    private var readerLayouts: [Int32: CSVLayout] = [:]
    /// Headers of the CSV files read, as of the last batch delivered (checkpointed).
    private var headers: [Int32: [UInt8]] = [:]
    public private(set) var offset: Lines.Offset
    /// Lines delivered so far, CSV headers included.
    public private(set) var linesRead: Int64 = 0
    /// Decompressed bytes delivered so far, over all files.
    public private(set) var bytesRead: Int64 = 0

    /// - Parameter parallelism: decoding threads; 1 decodes on the caller's thread.
    public init(lines: Lines, decoding: TransactionDecoding, parallelism: Int = 1) {
        inputNames = lines.inputNames
        reader = lines
        offset = reader.offset
        decoders = OrderedParallelMap(workers: parallelism > 1 ? parallelism : 0, label: "tillflow.decode") { work in
            guard work.failure == nil else { return Decoded(chunk: DecodedChunk(), work: work) }
            return Decoded(chunk: decoding.decode(work.lines, csvLayout: work.csvLayout), work: work)
        }
    }

    public func poll() throws -> SourcePoll<DecodedChunk> {
        fill()
        guard let decoded = decoders.next() else {
            // Everything read has been delivered: the source stands where its reader
            // does, which may have moved on without a line (a stream position raised
            // past lines of other locations, `LocationInbox.caughtUp(to:)`).
            if !readerDone { offset = reader.offset }
            return readerDone ? .end : .idle
        }
        let work = decoded.work
        if let failure = work.failure {
            decoders.discardAll()
            throw failure
        }
        if let header = work.header { headers[header.file] = header.bytes }
        offset = work.offset
        linesRead = work.linesRead
        bytesRead = work.bytesRead
        return .batch(Batch(records: [decoded.chunk]))
    }

    /// Reads until every worker has work queued, the input ends or has nothing now.
    private func fill() {
        readerIdle = false
        while !readerDone && !readerIdle && !decoders.isFull {
            var work = LinesToDecode(offset: offset)
            do {
                switch try reader.poll() {
                case .end:
                    readerDone = true
                    return
                case .idle:
                    readerIdle = true
                    return
                case .batch(let batch):
                    work.lines = batch.records
                }
                try takeHeader(of: &work)
                work.offset = reader.offset
                work.linesRead = reader.linesRead
                work.bytesRead = reader.bytesRead
            } catch {
                work.failure = error
                readerDone = true
            }
            decoders.submit(work)
        }
    }

    /// Takes the header off a batch that starts a CSV file and gives the batch its
    /// file's layout.
    private func takeHeader(of work: inout LinesToDecode) throws {
        guard let first = work.lines.first, first.format == .csv else { return }
        let file = first.origin.fileIndex
        if readerLayouts[file] == nil {
            guard first.fullLength == first.origin.raw.count else {
                throw JobError("\(inputNames[Int(file)]): the CSV header line is longer than \(LineReader.maxLineBytes) bytes")
            }
            let bytes = Array(first.origin.raw)
            readerLayouts[file] = try layout(of: bytes, file: file)
            work.header = (file, bytes)
            work.lines.removeFirst()
        }
        work.csvLayout = readerLayouts[file]
    }

    private func layout(of header: [UInt8], file: Int32) throws -> CSVLayout {
        do {
            return try header.withUnsafeBytes { try CSVLayout(header: $0) }
        } catch {
            throw JobError("\(inputNames[Int(file)]): \(error)")
        }
    }

    /// Continues from a delivered offset (recovery): work read ahead is dropped, and
    /// the reader starts again from there with the delivered headers.
    public func seek(to offset: Lines.Offset) throws {
        decoders.discardAll()
        reader.restoreCounts(linesRead: linesRead, bytesRead: bytesRead)
        try reader.seek(to: offset)
        readerDone = false
        readerIdle = false
        try rebuildReaderLayouts()
        self.offset = offset
    }

    private func rebuildReaderLayouts() throws {
        readerLayouts = try headers.reduce(into: [:]) { layouts, header in
            layouts[header.key] = try layout(of: header.value, file: header.key)
        }
    }

    /// Sets the counts of lines and bytes read before a restored offset.
    public func restoreCounts(linesRead: Int64, bytesRead: Int64) {
        self.linesRead = linesRead
        self.bytesRead = bytesRead
        reader.restoreCounts(linesRead: linesRead, bytesRead: bytesRead)
    }
}

/// The CSV headers read: what a checkpoint keeps of decoding, since a run resumed in the
/// middle of a CSV file does not read its header again.
extension TransactionLineSource: CheckpointedOperator {
    public func snapshot(into writer: inout StateWriter) throws {
        writer.write(UInt32(headers.count))
        for (file, header) in headers.sorted(by: { $0.key < $1.key }) {
            writer.write(file)
            writer.writeBytes(header)
        }
    }

    public func restore(from reader: inout StateReader) throws {
        var restored: [Int32: [UInt8]] = [:]
        for _ in 0 ..< (try reader.readUInt32()) {
            let file = try reader.readInt32()
            guard file >= 0, Int(file) < inputNames.count else { throw StateDecodingError("CSV header of unknown file \(file)") }
            restored[file] = try reader.readBytes()
        }
        headers = restored
        try rebuildReaderLayouts()
    }
}

extension TransactionLineSource where Lines == FileLineSource {
    /// The input files, read in the order given.
    public convenience init(files: [InputFile], decoding: TransactionDecoding, parallelism: Int = 1,
                            batchLines: Int = 4096) throws {
        self.init(lines: try FileLineSource(files: files, batchLines: batchLines), decoding: decoding,
                  parallelism: parallelism)
    }
}
