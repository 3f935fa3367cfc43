import CZstd

/// The decompressed content of one `.zst` file, produced front to back in chunks with
/// `ZSTD_decompressStream`.
///
/// Concatenated frames and skippable frames are accepted, as by the `zstd` tool.
/// Memory is bounded by the compressed input buffer plus the frame's window (a few MiB
/// at the usual levels; zstd refuses windows over 128 MiB), whatever the content size.
/// A stream that is not zstd, is corrupt (a checksum mismatch included), or ends inside
/// a frame throws `InputError.Kind.corruptCompression`.
final class ZstdDecompressor {
    /// Compressed bytes read from the file at a time.
    static let inputChunkBytes = 1 << 20

    private let stream: OpaquePointer
    /// The file descriptor is borrowed: the owner of the decompressor closes it.
    private let fd: Int32
    let path: String
    private let input: UnsafeMutableRawBufferPointer
    private var inputStart = 0
    private var inputEnd = 0
    private var inputEnded = false
    /// `true` between the start of a frame and its last decoded, flushed byte.
    private var insideFrame = false

    init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
        self.stream = ZSTD_createDStream()
        self.input = .allocate(byteCount: Self.inputChunkBytes, alignment: 16)
    }

    deinit {
        ZSTD_freeDStream(stream)
        input.deallocate()
    }

    /// Whether `prefix`, the first bytes of a file, can start a zstd stream: a zstd frame
    /// or a skippable frame magic number (little endian).
    static func looksLikeZstd(_ prefix: UnsafeRawBufferPointer) -> Bool {
        guard prefix.count >= 4 else { return false }
        let magic = UInt32(prefix[0]) | UInt32(prefix[1]) << 8 | UInt32(prefix[2]) << 16 | UInt32(prefix[3]) << 24
        return magic == 0xFD2F_B528 || magic & 0xFFFF_FFF0 == 0x184D_2A50
    }

    /// Fills `output` with the next decompressed bytes; returns how many it wrote, fewer
    /// than `output.count` only at the end of the content, 0 once the content has ended.
    func read(into output: UnsafeMutableRawBufferPointer) throws -> Int {
        guard output.count > 0 else { return 0 }
        var out = ZSTD_outBuffer(dst: output.baseAddress, size: output.count, pos: 0)
        while out.pos < out.size {
            if inputStart == inputEnd && !inputEnded { try refill() }
            if inputStart == inputEnd && inputEnded && !insideFrame { break }
            var inp = ZSTD_inBuffer(src: input.baseAddress! + inputStart, size: inputEnd - inputStart, pos: 0)
            let producedBefore = out.pos
            let hint = ZSTD_decompressStream(stream, &out, &inp)
            if ZSTD_isError(hint) != 0 {
                throw InputError(.corruptCompression, path: path, detail: String(cString: ZSTD_getErrorName(hint)))
            }
            inputStart += inp.pos
            insideFrame = hint != 0
            if inputEnded && inputStart == inputEnd && inp.pos == 0 && out.pos == producedBefore && insideFrame {
                throw InputError(.corruptCompression, path: path, detail: "the file ends inside a frame (truncated)")
            }
        }
        return out.pos
    }

    private func refill() throws {
        inputStart = 0
        inputEnd = 0
        switch SystemCalls.readChunk(fd, into: input) {
        case .success(let n):
            inputEnd = n
            if n == 0 { inputEnded = true }
        case .failure(let error):
            throw InputError(.cannotRead, path: path, detail: error.message)
        }
    }
}
