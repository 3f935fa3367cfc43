/// What a server says of itself in `INFO`: first on every connection (in plaintext, also
/// on a TLS server), and again whenever its cluster changes.
public struct ServerInfo: Sendable, Decodable, Equatable {
    public var serverID: String
    public var serverName: String?
    public var version: String
    /// The largest payload, headers included, the server takes in one message.
    public var maxPayload: Int
    public var headers: Bool?
    public var jetStream: Bool?
    public var authRequired: Bool?
    public var tlsRequired: Bool?
    public var tlsAvailable: Bool?
    public var nonce: String?
    /// Other servers of the cluster a client may reconnect to.
    public var connectURLs: [String]?
    public var domain: String?

    enum CodingKeys: String, CodingKey {
        case serverID = "server_id", serverName = "server_name", version, maxPayload = "max_payload", headers
        case jetStream = "jetstream", authRequired = "auth_required", tlsRequired = "tls_required"
        case tlsAvailable = "tls_available", nonce, connectURLs = "connect_urls", domain
    }
}
