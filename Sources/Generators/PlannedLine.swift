import Jobs
/// A line the inventory generator has decided to write later: a reservation's commit or
/// release, or one line of a delivery. It is written at the first line slot whose base
/// time reaches `due`, with that slot's event time.
struct PlannedLine: Comparable {
    enum Action: UInt8 { case commit, release, delivery }

    var due: Int64
    /// Planning order: lines due at the same time are written in it.
    var sequence: Int
    var action: Action
    /// The reservation number of a commit or release; the slot of a delivery.
    var target: Int
    var location: Int
    /// The delta of a delivery.
    var amount: Int = 0
    /// A second commit or release of the same reservation, planned once this one is written.
    var then: Action? = nil

    static func < (a: PlannedLine, b: PlannedLine) -> Bool { (a.due, a.sequence) < (b.due, b.sequence) }
    static func == (a: PlannedLine, b: PlannedLine) -> Bool { a.due == b.due && a.sequence == b.sequence }
}
