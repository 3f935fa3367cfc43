/// Where an HTTP endpoint listens: `HOST:PORT`, or `:PORT` or `PORT` for loopback
/// (127.0.0.1): a node serves nothing beyond its own machine unless told to.
public struct ListenAddress: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init?(_ text: String) {
        let (host, port): (Substring, Substring)
        if let colon = text.lastIndex(of: ":") {
            (host, port) = (text[..<colon], text[text.index(after: colon)...])
        } else {
            (host, port) = ("", Substring(text))
        }
        guard let number = Int(port), (0 ... 65535).contains(number) else { return nil }
        self.host = host.isEmpty ? "127.0.0.1" : String(host.trimmingPrefix("[").dropLast(host.hasSuffix("]") ? 1 : 0))
        self.port = number
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
