/// A message as a subscriber receives it (`MSG`/`HMSG`).
public struct NATSMessage: Sendable {
    public var subject: String
    /// Where an answer goes, when the publisher asked for one.
    public var replyTo: String?
    public var headers: NATSHeaders?
    public var payload: [UInt8]

    public init(subject: String, replyTo: String? = nil, headers: NATSHeaders? = nil, payload: [UInt8]) {
        self.subject = subject
        self.replyTo = replyTo
        self.headers = headers
        self.payload = payload
    }

    /// The status of a message that carries one (`headers.status`).
    public var status: Int? { headers?.status }
}
