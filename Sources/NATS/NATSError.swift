/// What can go wrong talking to NATS, each with a one-line description.
public enum NATSError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No server of the list could be reached.
    case cannotConnect(String)
    /// The server said `-ERR` in a way that ends the connection (authorization,
    /// parser, maximum payload and the like).
    case server(String)
    /// The server broke the protocol, or sent what this client cannot read.
    case protocolViolation(String)
    /// A payload (with its headers) above the server's `max_payload`: never sent.
    case payloadTooLarge(size: Int, limit: Int)
    case invalidSubject(String)
    /// A credentials file or NKey seed that does not read.
    case invalidCredentials(String)
    case invalidHeader(String)
    /// A request that nobody subscribes to (status 503).
    case noResponders(String)
    case timeout(String)
    /// The connection was closed (by `close()`, or for good after an error).
    case closed

    public var description: String {
        switch self {
        case .cannotConnect(let detail): "cannot connect to NATS: \(detail)"
        case .server(let detail): "NATS server error: \(detail)"
        case .protocolViolation(let detail): "NATS protocol violation: \(detail)"
        case .payloadTooLarge(let size, let limit): "a NATS message of \(size) bytes is over the server's max_payload of \(limit)"
        case .invalidSubject(let subject): "not a valid NATS subject: '\(subject)'"
        case .invalidCredentials(let detail): "invalid NATS credentials: \(detail)"
        case .invalidHeader(let name): "not a valid NATS header: '\(name)'"
        case .noResponders(let subject): "no responders on \(subject)"
        case .timeout(let what): "timed out: \(what)"
        case .closed: "the NATS connection is closed"
        }
    }
}
