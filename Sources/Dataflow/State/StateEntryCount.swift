/// How many entries one state of one operator holds: what `tillflow checkpoints`
/// shows per operator.
public struct StateEntryCount: Sendable, Hashable {
    public struct ID: Sendable, Hashable {
        public var `operator`: OperatorID
        public var state: String
    }

    public var id: ID
    public var count: Int64

    static func sorted(_ counts: [ID: Int64]) -> [StateEntryCount] {
        counts.map { StateEntryCount(id: $0.key, count: $0.value) }
            .sorted { ($0.id.operator.name, $0.id.state) < ($1.id.operator.name, $1.id.state) }
    }
}
