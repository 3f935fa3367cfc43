/// Why an input file cannot be read: a one-line message naming the file.
///
/// Input errors stop a job (unlike bad records, which are data, spec section 3):
/// a file that cannot be opened, an I/O error, a corrupt or truncated `.zst` stream,
/// a resume position that the file no longer has, or a CSV file without its header.
public struct InputError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// `open(2)` failed, or the path is a directory.
        case cannotOpen
        /// `read(2)` failed.
        case cannotRead
        /// The content of a `.zst` file is not a valid, complete zstd stream.
        case corruptCompression
        /// The position to resume from is not a line start of the file.
        case cannotResume
        /// A CSV file with no header line: it is empty (a byte-order mark aside).
        case missingHeader
    }

    public var kind: Kind
    /// The path as given in the `InputFile`.
    public var path: String
    /// What went wrong, for example `strerror`'s text or zstd's error name.
    public var detail: String

    public init(_ kind: Kind, path: String, detail: String) {
        self.kind = kind
        self.path = path
        self.detail = detail
    }

    /// For example `cannot open /x/y.jsonl: No such file or directory`.
    public var description: String {
        switch kind {
        case .cannotOpen: "cannot open \(path): \(detail)"
        case .cannotRead: "cannot read \(path): \(detail)"
        case .corruptCompression: "corrupt zstd stream in \(path): \(detail)"
        case .cannotResume: "cannot resume reading \(path): \(detail)"
        case .missingHeader: "\(path): \(detail)"
        }
    }
}
