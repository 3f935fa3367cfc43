/// An output stopped waiting for a server to acknowledge its rows: its owner asked to
/// stop while NATS was unreachable. Nothing is lost: the rows are a function of the
/// input, and a run resumed from the last checkpoint makes them again and publishes
/// those the stream does not hold.
public struct PublishingAbandoned: Error, CustomStringConvertible {
    public let subject: String
    public let unacknowledged: Int

    public var description: String {
        "\(unacknowledged) rows on \(subject) not acknowledged: NATS is unreachable and a stop was asked for"
    }
}
