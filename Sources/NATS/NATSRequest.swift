/// A request to send: where, with which headers, what.
public struct NATSRequest: Sendable {
    public var subject: String
    public var headers: NATSHeaders?
    public var payload: [UInt8]

    public init(_ subject: String, headers: NATSHeaders? = nil, payload: [UInt8]) {
        self.subject = subject
        self.headers = headers
        self.payload = payload
    }
}
