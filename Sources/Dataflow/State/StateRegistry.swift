/// The states a backend has handed out, by (operator id, state name): asking twice
/// returns the same state, and asking with other types is an error.
struct StateRegistry {
    private struct StateID: Hashable {
        var `operator`: OperatorID
        var name: String
    }

    private var states: [StateID: AnyObject] = [:]
    /// Every state handed out, in the order first asked for.
    private(set) var all: [AnyObject] = []

    mutating func state<S: AnyObject>(_ operator: OperatorID, _ name: String, make: () -> S) throws -> S {
        let id = StateID(operator: `operator`, name: name)
        if let existing = states[id] {
            guard let state = existing as? S else {
                throw StateBackendError("state '\(name)' of operator '\(`operator`)' was declared with other types")
            }
            return state
        }
        let state = make()
        states[id] = state
        all.append(state)
        return state
    }
}
