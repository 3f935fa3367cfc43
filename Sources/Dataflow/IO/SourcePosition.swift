/// Where a file source stands in its list of input files: the next line to read.
///
/// Positions are what a checkpoint records for a file source, so that a restored
/// reader can resume exactly after the last line whose effects the checkpoint holds.
/// `byteOffset` counts bytes of the *decompressed* content of file `fileIndex`
/// (a `.zst` input is re-decompressed and skipped up to it on restore).
public struct SourcePosition: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var fileIndex: Int32
    public var byteOffset: Int64
    /// Number of the next line in the file, counting from 1.
    public var lineNumber: Int64

    public init(fileIndex: Int32, byteOffset: Int64, lineNumber: Int64) {
        self.fileIndex = fileIndex
        self.byteOffset = byteOffset
        self.lineNumber = lineNumber
    }

    public static let start = SourcePosition(fileIndex: 0, byteOffset: 0, lineNumber: 1)
    /// After all input: the progress of a finished stream.
    public static let end = SourcePosition(fileIndex: .max, byteOffset: .max, lineNumber: .max)

    /// The position of a line, for ordering records by where they came from.
    @inlinable
    public static func line(_ fileIndex: Int32, _ lineNumber: Int64) -> SourcePosition {
        SourcePosition(fileIndex: fileIndex, byteOffset: 0, lineNumber: lineNumber)
    }

    /// Input order: by file, then by line (byte offsets follow line numbers in a file).
    @inlinable
    public static func < (a: SourcePosition, b: SourcePosition) -> Bool {
        a.fileIndex != b.fileIndex ? a.fileIndex < b.fileIndex : a.lineNumber < b.lineNumber
    }

    public var description: String { "file \(fileIndex) byte \(byteOffset) line \(lineNumber)" }
}
