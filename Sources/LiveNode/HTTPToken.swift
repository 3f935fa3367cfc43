import Foundation

/// The bearer token a node's and a worker's HTTP endpoints want when one is configured:
/// read from a file (`--http-token-file`) or the environment (`TILLFLOW_HTTP_TOKEN`),
/// never from a flag that `ps` would show. Compared in constant time, so that the
/// answer's timing tells nothing of how much of a guess was right.
public struct HTTPToken: Sendable {
    let bytes: [UInt8]

    /// Who presented the token: there is one client identity, the token's holder.
    public struct Holder: Sendable { public init() {} }

    public init?(_ token: String) {
        let trimmed = token.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return nil }
        bytes = Array(trimmed.utf8)
    }

    /// The token of `--http-token-file` (its content, surrounding white space aside), or
    /// else of `TILLFLOW_HTTP_TOKEN`; nil when neither is given. An unreadable or empty
    /// file is an error, not an open endpoint.
    public static func configured(file: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> HTTPToken? {
        if let file {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw HTTPTokenError(description: "--http-token-file \(file): cannot read the file")
            }
            guard let token = HTTPToken(text) else { throw HTTPTokenError(description: "--http-token-file \(file): the file is empty") }
            return token
        }
        return environment["TILLFLOW_HTTP_TOKEN"].flatMap(HTTPToken.init)
    }

    public func admits(_ presented: String) -> Bool {
        let given = Array(presented.utf8)
        var difference = UInt8(given.count == bytes.count ? 0 : 1)
        for i in bytes.indices { difference |= bytes[i] ^ (i < given.count ? given[i] : 0) }
        return difference == 0
    }
}

public struct HTTPTokenError: Error, CustomStringConvertible {
    public let description: String
}
