/// An output stopped publishing: its owner asked to stop while NATS was unreachable, or
/// may no longer publish (a cloud partition whose lease may have lapsed). Nothing is
/// lost: the rows are a function of the input, and a run resumed from the last
/// checkpoint makes them again and publishes those the stream does not hold.
public struct PublishingAbandoned: Error, CustomStringConvertible {
    public let subject: String
    public let unacknowledged: Int
    public let reason: String

    public var description: String {
        "publishing to \(subject) stopped with \(unacknowledged) rows not acknowledged: \(reason)"
    }
}
