/// A failed write to an output file: a one-line message naming the file, for example
/// `cannot write /out/valid.jsonl: No space left on device`.
public struct OutputError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What was being done: "create", "write", "sync", "truncate", "close", "compress".
    public var operation: String
    public var path: String
    public var detail: String

    public init(_ operation: String, path: String, detail: String) {
        self.operation = operation
        self.path = path
        self.detail = detail
    }

    public var description: String { "cannot \(operation) \(path): \(detail)" }
}
