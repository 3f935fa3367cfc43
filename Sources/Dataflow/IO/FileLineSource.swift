/// A source over input files read line by line, in the order given (spec section 0).
///
/// Its offset (file, byte offset, line) is what a checkpoint records; a source made
/// with `startingAt:` resumes there.
public struct FileLineSource: Source {
    public let files: [InputFile]
    var reader: LineReader
    public private(set) var offset: FileOffset
    /// Lines emitted so far.
    public private(set) var linesRead: Int64 = 0
    /// Decompressed bytes consumed so far, over all files.
    public private(set) var bytesRead: Int64 = 0

    public init(files: [InputFile], batchLines: Int = 4096, startingAt: FileOffset = .start) throws {
        self.files = files
        self.reader = try LineReader(files: files, targetLines: batchLines, startingAt: startingAt)
        self.offset = startingAt
    }

    /// Reopens the files at `offset`; the counts go on from where a checkpoint had them.
    public mutating func seek(to offset: FileOffset) throws {
        reader = try LineReader(files: files, targetLines: reader.targetLines, startingAt: offset)
        self.offset = offset
    }

    /// Sets the counts of lines and bytes read before a restored position.
    public mutating func restoreCounts(linesRead: Int64, bytesRead: Int64) {
        self.linesRead = linesRead
        self.bytesRead = bytesRead
    }

    public mutating func poll() throws -> SourcePoll<InputLine> {
        try next().map { .batch($0) } ?? .end
    }

    /// The next batch of lines, or `nil` at the end of the last file.
    public mutating func next() throws -> Batch<InputLine>? {
        guard let lines = try reader.next() else { return nil }
        let format = files[Int(lines.fileIndex)].format
        var records: [InputLine] = []
        records.reserveCapacity(lines.lines.count)
        for i in lines.lines.indices {
            let span = lines.lines[i]
            records.append(InputLine(
                origin: LineOrigin(fileIndex: lines.fileIndex, lineNumber: span.lineNumber, raw: lines.bytes(of: i)),
                fullLength: span.fullLength, format: format))
        }
        if lines.endPosition.fileIndex == offset.fileIndex {
            bytesRead += lines.endPosition.byteOffset - offset.byteOffset
        } else {
            bytesRead += lines.endPosition.byteOffset
        }
        linesRead += Int64(records.count)
        offset = lines.endPosition
        return Batch(records: records, progress: offset.progress)
    }
}
