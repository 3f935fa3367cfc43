import Dataflow

/// The lines of fuzzed bytes as a file's lines are cut (`InputLines`). Every property
/// accounts for each of them.
enum RecordLines {
    static func of(_ bytes: UnsafeRawBufferPointer) -> [ArraySlice<UInt8>] { InputLines.of(bytes) }

    /// Where line `index` came from, as the decoders take it.
    static func origin(_ line: ArraySlice<UInt8>, index: Int) -> LineOrigin {
        LineOrigin(fileIndex: 0, lineNumber: Int64(index + 1), raw: line)
    }
}
