import Dataflow

extension InputLine {
    /// A `TILLFLOW_IN` message as a line of split 0, numbered by its stream sequence, kept
    /// as the file reader keeps lines: one over the limit only by its start (it becomes a
    /// `too_large` dead letter). What the edge node's and the cloud partitions' sources
    /// read alike.
    public static func streamMessage(sequence: UInt64, payload: [UInt8]) -> InputLine {
        let kept = payload.count > LineReader.maxLineBytes ? payload[..<LineReader.keptBytesOfOversizedLine] : payload[...]
        return InputLine(origin: LineOrigin(fileIndex: 0, lineNumber: Int64(sequence), raw: kept),
                         fullLength: payload.count, format: .jsonLines)
    }
}
