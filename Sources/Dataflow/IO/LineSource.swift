/// A source of input lines, whatever they are read from: files (`FileLineSource`,
/// replay) or a stream of messages (the live node's JetStream source). The validation
/// stage decodes any of them the same way (`TransactionLineSource`), so a replay and a
/// live run share every operator after the lines.
///
/// A line's origin names its split (`fileIndex`: a file, or 0 for a stream) and its
/// number there (a line number, or a stream sequence); `inputNames` names the splits
/// for dead letters (`source` = name, colon, number).
public protocol LineSource: Source where Output == InputLine {
    /// Lines delivered so far, across resumes (see `restoreCounts`).
    var linesRead: Int64 { get }
    /// Bytes delivered so far (decompressed), across resumes.
    var bytesRead: Int64 { get }
    /// Sets the counts of a restored run.
    mutating func restoreCounts(linesRead: Int64, bytesRead: Int64)
    /// The name of each split, by index: the files' base names, or the stream's name.
    var inputNames: [String] { get }
}

extension FileLineSource: LineSource {
    public var inputNames: [String] { files.map(\.baseName) }
}
