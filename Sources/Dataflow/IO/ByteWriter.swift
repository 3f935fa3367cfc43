/// Something that takes an output file's bytes in order: `OutputFile` for plain files,
/// `ZstdCompressingWriter` for `.zst` files.
public protocol ByteWriter: AnyObject {
    func append(_ bytes: UnsafeRawBufferPointer) throws
    /// Writes what is buffered so far to the file (for a compressing writer: so that
    /// everything appended so far can be decompressed from the file).
    func flush() throws
    /// Flushes and closes; later calls do nothing.
    func close() throws
}

extension ByteWriter {
    public func append(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try append($0) }
    }
}

/// Creates (or empties) the file at `path` for writing: a `ZstdCompressingWriter` when
/// the name ends in `.zst`, an `OutputFile` otherwise.
public func makeByteWriter(path: String) throws -> any ByteWriter {
    path.lowercased().hasSuffix(".zst") ? try ZstdCompressingWriter(path: path) : try OutputFile(path: path)
}
