/// Where a sink's rows go, and what a checkpoint commits of it: a file in the output
/// directory (`OutputFile`, replay), or a subject of a stream (the live node's, one
/// message per row).
///
/// What holds: after `sync()` returns, everything appended is durable (in the file, or
/// acknowledged by the stream), and `committedLength` measures it in the output's own
/// unit (a file's bytes, a subject's rows). A checkpoint records that measure; a run
/// restored from it opens the output at it, and the output makes sure that what the
/// restored run appends again is neither lost nor there twice (a file is cut back to
/// it; a subject skips the rows the stream already holds).
public protocol RecordOutput: AnyObject {
    /// The output's name in errors: a path, or a subject.
    var outputName: String { get }
    /// Appends rows, each ending in `\n`.
    func appendRows(_ rows: [UInt8]) throws
    /// Makes everything appended durable.
    func sync() throws
    /// The measure a checkpoint records, once `sync()` returned.
    var committedLength: Int64 { get }
    func close() throws
}

extension OutputFile: RecordOutput {
    public var outputName: String { path }
    public func appendRows(_ rows: [UInt8]) throws { try append(rows) }
    public var committedLength: Int64 { length }
}
