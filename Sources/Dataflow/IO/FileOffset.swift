/// Where a file source stands in its list of input files (its splits, read in the order
/// given): the next line to read.
///
/// It is what a checkpoint records for a file source, so that a restored reader resumes
/// exactly after the last line whose effects the checkpoint holds. `byteOffset` counts
/// bytes of the *decompressed* content of file `fileIndex` (a `.zst` input is
/// re-decompressed and skipped up to it on restore). Offsets are not ordered: what is
/// ordered is their `progress`, an `InputOrder`.
public struct FileOffset: SourceOffset, Hashable, CustomStringConvertible {
    public var fileIndex: Int32
    public var byteOffset: Int64
    /// Number of the next line in the file, counting from 1.
    public var lineNumber: Int64

    public init(fileIndex: Int32, byteOffset: Int64, lineNumber: Int64) {
        self.fileIndex = fileIndex
        self.byteOffset = byteOffset
        self.lineNumber = lineNumber
    }

    public static let start = FileOffset(fileIndex: 0, byteOffset: 0, lineNumber: 1)

    /// Every line before the next one of this file, and every line of earlier files.
    public var progress: InputOrder { InputOrder(split: fileIndex, sequence: lineNumber) }

    public var description: String { "file \(fileIndex) byte \(byteOffset) line \(lineNumber)" }

    public func encode(to writer: inout StateWriter) {
        writer.write(fileIndex)
        writer.write(byteOffset)
        writer.write(lineNumber)
    }

    public static func decode(from reader: inout StateReader) throws -> FileOffset {
        FileOffset(fileIndex: try reader.readInt32(), byteOffset: try reader.readInt64(), lineNumber: try reader.readInt64())
    }
}
