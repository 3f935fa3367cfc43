/// Where a file source stands in its list of input files: the next line to read.
///
/// Positions are what a checkpoint records for a file source, so that a restored
/// reader can resume exactly after the last line whose effects the checkpoint holds.
/// `byteOffset` counts bytes of the *decompressed* content of file `fileIndex`
/// (a `.zst` input is re-decompressed and skipped up to it on restore).
public struct SourcePosition: Sendable, Hashable, CustomStringConvertible {
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

    public var description: String { "file \(fileIndex) byte \(byteOffset) line \(lineNumber)" }
}
