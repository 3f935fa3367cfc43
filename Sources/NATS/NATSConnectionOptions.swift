/// How a client connects: the servers to try, in order, who it is, and how patient it is.
public struct NATSConnectionOptions: Sendable {
    /// `nats://host:port` (or `host:port`); tried in order, and again from the first
    /// after the last, when (re)connecting.
    public var servers: [String]
    /// The client's name, shown by the server's monitoring.
    public var name: String = "tillflow"
    public var user: String?
    public var password: String?
    public var token: String?
    /// A user's NKey (and JWT): signs the server's nonce (`NATSCredentials`).
    public var credentials: NATSCredentials?
    /// CA certificates (PEM) that a server's TLS certificate must chain to; `nil`: the
    /// system's. TLS is used with every server when this is set, with a `tls://` server,
    /// and with a server whose INFO requires it; the certificate must name the host
    /// connected to (its IP address when the URL gives one).
    public var tlsCAFile: String?
    /// How long one attempt to connect (TCP, INFO, CONNECT and its PONG) may take.
    public var connectTimeout: Duration = .seconds(5)
    /// After a lost connection, the client reconnects with a delay that doubles from
    /// `reconnectDelay` up to `maxReconnectDelay`, for ever unless `close()` is called.
    public var reconnect = true
    public var reconnectDelay: Duration = .milliseconds(100)
    public var maxReconnectDelay: Duration = .seconds(5)
    /// Bytes of publishes kept while disconnected, sent once reconnected; a publish
    /// beyond it fails. With 0, a publish while disconnected fails, and what was not yet
    /// written when the connection was lost is dropped: for publishers that must keep
    /// their messages in order (they send again, in order, what was not acknowledged),
    /// since buffered messages would overtake those lost on the way.
    public var reconnectBufferBytes = 8 << 20
    /// Told once when a connection is lost (and reconnecting begins) and once when it is
    /// made again, whatever the number of attempts between: what an operator's log wants.
    /// Called on an event loop or a task; it must return quickly.
    public var onConnectionChange: (@Sendable (NATSConnectionChange) -> Void)?

    public init(servers: [String]) { self.servers = servers }

    public init(url: String) { self.init(servers: [url]) }
}

/// A change of a connection's state that an operator wants to hear of.
public enum NATSConnectionChange: Sendable, Equatable {
    /// The connection to the server was lost; the client is reconnecting.
    case lost
    /// A connection was made again, to `server` (`host:port`).
    case restored(server: String)
}

/// A server address from `nats://host:port`, `host:port` or `host` (port 4222).
struct ServerAddress: Sendable, Hashable, CustomStringConvertible {
    var host: String
    var port: Int
    /// `tls://`: never spoken to in the clear.
    var tls = false

    init(_ url: String) throws(NATSError) {
        var rest = Substring(url)
        for scheme in ["nats://", "tls://"] where rest.lowercased().hasPrefix(scheme) {
            rest = rest.dropFirst(scheme.count)
            tls = scheme == "tls://"
        }
        if let at = rest.lastIndex(of: "@") { rest = rest[rest.index(after: at)...] }
        if let colon = rest.lastIndex(of: ":") {
            guard let port = Int(rest[rest.index(after: colon)...]), (1 ... 65535).contains(port) else {
                throw .cannotConnect("not a server address: \(url)")
            }
            host = String(rest[..<colon])
            self.port = port
        } else {
            host = String(rest)
            port = 4222
        }
        guard !host.isEmpty else { throw .cannotConnect("not a server address: \(url)") }
    }

    var description: String { "\(host):\(port)" }
}
