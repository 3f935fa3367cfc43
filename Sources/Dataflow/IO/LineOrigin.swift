/// Where a record came from: what a dead letter needs to point back at its input.
///
/// `raw` shares the storage of the `LineBatch` it was read in (no copy per record).
public struct LineOrigin: Sendable {
    public var fileIndex: Int32
    public var lineNumber: Int64
    /// The line's stored bytes (see `LineSpan.storedLength`), without `\n`.
    public var raw: ArraySlice<UInt8>

    /// Where the line stands in input order.
    @inlinable public var order: InputOrder { InputOrder(split: fileIndex, sequence: lineNumber) }

    public init(fileIndex: Int32, lineNumber: Int64, raw: ArraySlice<UInt8>) {
        self.fileIndex = fileIndex
        self.lineNumber = lineNumber
        self.raw = raw
    }
}
