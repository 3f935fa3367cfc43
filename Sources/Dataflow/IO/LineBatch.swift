/// One line of input inside a `LineBatch`.
public struct LineSpan: Sendable, Equatable {
    /// Offset of the line's first byte in `LineBatch.storage`.
    public var start: Int
    /// Bytes of the line kept in `storage`: the whole line, or its first
    /// `LineReader.keptBytesOfOversizedLine` bytes when it is longer than `LineReader.maxLineBytes`.
    public var storedLength: Int
    /// The line's real length in bytes, without its `\n`.
    public var fullLength: Int
    /// Line number in its file, counting from 1 (a skipped byte-order mark does not count).
    public var lineNumber: Int64

    public init(start: Int, storedLength: Int, fullLength: Int, lineNumber: Int64) {
        self.start = start
        self.storedLength = storedLength
        self.fullLength = fullLength
        self.lineNumber = lineNumber
    }
}

/// A run of consecutive lines of one input file: the unit a file source emits.
///
/// All lines' bytes sit back to back in one `storage` array, so a batch costs two
/// allocations however many lines it holds; records that need their raw line later
/// (dead letters) keep an `ArraySlice` of `storage` rather than a copy.
public struct LineBatch: Sendable {
    public var fileIndex: Int32
    public var storage: [UInt8]
    public var lines: [LineSpan]
    /// The position just after the batch's last line: where a reader resumes.
    public var endPosition: FileOffset

    public init(fileIndex: Int32, storage: [UInt8], lines: [LineSpan], endPosition: FileOffset) {
        self.fileIndex = fileIndex
        self.storage = storage
        self.lines = lines
        self.endPosition = endPosition
    }

    /// The stored bytes of line `i`.
    @inlinable
    public func bytes(of i: Int) -> ArraySlice<UInt8> {
        let span = lines[i]
        return storage[span.start ..< span.start + span.storedLength]
    }
}
