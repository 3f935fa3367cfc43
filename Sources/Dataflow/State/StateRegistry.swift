/// The states a backend has handed out, by (operator id, state name, key groups): asking
/// twice returns the same state, and asking with other types is an error. The partitions
/// of one operator share names and hold states of their own, one per range of key groups;
/// the ranges of one state may not overlap.
struct StateRegistry {
    private struct StateID: Hashable {
        var `operator`: OperatorID
        var name: String
        var groups: KeyGroupRange
    }

    private var states: [StateID: AnyObject] = [:]
    /// Every state handed out, in the order first asked for.
    private(set) var all: [AnyObject] = []

    mutating func state<S: AnyObject>(_ operator: OperatorID, _ name: String, _ groups: KeyGroupRange,
                                      make: () -> S) throws -> S {
        let id = StateID(operator: `operator`, name: name, groups: groups)
        if let existing = states[id] {
            guard let state = existing as? S else {
                throw StateBackendError("state '\(name)' of operator '\(`operator`)' was declared with other types")
            }
            return state
        }
        if let overlapping = states.keys.first(where: {
            $0.operator == `operator` && $0.name == name && $0.groups.overlaps(groups)
        }) {
            throw StateBackendError("state '\(name)' of operator '\(`operator`)' is asked for key groups \(groups) "
                + "overlapping \(overlapping.groups) of another partition")
        }
        let state = make()
        states[id] = state
        all.append(state)
        return state
    }
}
