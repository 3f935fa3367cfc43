/// A failure that stops a job: a bad input file (not a bad record), a disk that fails,
/// a state directory that cannot be used. Its description is the one line a user sees.
public struct JobError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
