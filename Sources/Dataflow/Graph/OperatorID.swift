/// The stable identity of an operator, chosen by the job's author (`"turnover-10s"`).
///
/// State, timers and checkpoints are keyed by it, never by the operator's position in
/// the graph, so a job can change shape and keep its state.
public struct OperatorID: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    public var name: String

    public init(_ name: String) { self.name = name }
    public init(stringLiteral value: String) { self.name = value }

    public var description: String { name }
}
