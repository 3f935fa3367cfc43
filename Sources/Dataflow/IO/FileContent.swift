/// The (decompressed) content of the input file a `LineReader` is on, read front to
/// back in chunks: `read(2)` for a plain file, `ZstdDecompressor` for a `.zst` file.
enum FileContent {
    case plain(fd: Int32, path: String)
    case zstd(ZstdDecompressor)

    /// Reads the next bytes into `buffer`: how many, 0 once the content has ended.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        switch self {
        case .plain(let fd, let path):
            switch SystemCalls.readChunk(fd, into: buffer) {
            case .success(let n): return n
            case .failure(let error): throw InputError(.cannotRead, path: path, detail: error.message)
            }
        case .zstd(let decompressor):
            return try decompressor.read(into: buffer)
        }
    }
}
