/// A worker that cannot join the pool as set up: the message says what to change.
public struct WorkerSetupError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
