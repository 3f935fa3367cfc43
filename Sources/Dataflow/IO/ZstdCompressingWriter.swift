import CZstd

/// Writes a `.zst` file: appended bytes are compressed in one zstd frame with
/// `ZSTD_compressStream2` (level 3 by default, content checksum on, so that a reader
/// detects corruption), through an `OutputFile`.
///
/// The frame is complete only after `close()`; a file whose writer was not closed ends
/// inside a frame, which `LineReader` reports as corrupt.
public final class ZstdCompressingWriter: ByteWriter {
    public let path: String
    private let file: OutputFile
    private var context: OpaquePointer?
    private let output: UnsafeMutableRawBufferPointer
    /// Uncompressed bytes appended so far.
    public private(set) var uncompressedLength: Int64 = 0

    /// Creates (or empties) the file at `path`.
    public init(path: String, level: Int32 = 3) throws {
        self.path = path
        self.file = try OutputFile(path: path)
        guard let context = ZSTD_createCCtx() else {
            throw OutputError("compress", path: path, detail: "zstd could not allocate a compression context")
        }
        self.context = context
        self.output = .allocate(byteCount: ZSTD_CStreamOutSize(), alignment: 16)
        for (parameter, value) in [(ZSTD_c_compressionLevel, level), (ZSTD_c_checksumFlag, 1)] {
            let result = ZSTD_CCtx_setParameter(context, parameter, value)
            if ZSTD_isError(result) != 0 {
                throw OutputError("compress", path: path, detail: String(cString: ZSTD_getErrorName(result)))
            }
        }
    }

    deinit {
        if let context { ZSTD_freeCCtx(context) }
        output.deallocate()
    }

    /// Compresses `bytes` into the frame; the compressed bytes reach the file as zstd
    /// emits them, buffered by the `OutputFile`.
    public func append(_ bytes: UnsafeRawBufferPointer) throws {
        guard bytes.count > 0 else { return }
        var input = ZSTD_inBuffer(src: bytes.baseAddress, size: bytes.count, pos: 0)
        while input.pos < input.size {
            _ = try compress(&input, ZSTD_e_continue)
        }
        uncompressedLength += Int64(bytes.count)
    }

    public func append(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try append($0) }
    }

    /// Ends the current zstd block and writes everything to the file, so that all bytes
    /// appended so far can be decompressed from it (the frame stays open).
    public func flush() throws {
        guard context != nil else { return }
        var input = ZSTD_inBuffer(src: nil, size: 0, pos: 0)
        while try compress(&input, ZSTD_e_flush) != 0 {}
        try file.flush()
    }

    /// Ends the frame, then flushes and closes the file; later calls do nothing.
    public func close() throws {
        guard let context else { return }
        var input = ZSTD_inBuffer(src: nil, size: 0, pos: 0)
        do {
            while try compress(&input, ZSTD_e_end) != 0 {}
        } catch {
            try? file.close()
            throw error
        }
        ZSTD_freeCCtx(context)
        self.context = nil
        try file.close()
    }

    /// One `ZSTD_compressStream2` call; appends its output to the file and returns zstd's
    /// hint (0 when a flush or end directive is complete).
    private func compress(_ input: inout ZSTD_inBuffer, _ directive: ZSTD_EndDirective) throws -> Int {
        guard let context else { throw OutputError("write", path: path, detail: "the file is closed") }
        var out = ZSTD_outBuffer(dst: output.baseAddress, size: output.count, pos: 0)
        let hint = ZSTD_compressStream2(context, &out, &input, directive)
        if ZSTD_isError(hint) != 0 {
            throw OutputError("compress", path: path, detail: String(cString: ZSTD_getErrorName(hint)))
        }
        if out.pos > 0 { try file.append(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(output)[0 ..< out.pos])) }
        return hint
    }
}
