import Foundation

/// Who a client is by key rather than password: a user's NKey seed, and with it the
/// user's JWT when the server runs in operator mode (a `.creds` file). The seed signs the
/// nonce of the server's INFO; the CONNECT carries the signature with the JWT, or with
/// the public key when there is no JWT.
public struct NATSCredentials: Sendable {
    public var jwt: String?
    public var nkey: NKey

    public init(jwt: String? = nil, nkey: NKey) {
        self.jwt = jwt
        self.nkey = nkey
    }

    /// Reads a `.creds` file as NATS's tools write it (a `BEGIN NATS USER JWT` block and
    /// a `BEGIN USER NKEY SEED` block), or a file holding only a user's seed (`SU…`).
    public init(file path: String) throws(NATSError) {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw .invalidCredentials("cannot read the file")
        }
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        // A marker line is dashes around `BEGIN …`; a block's content is the line after it
        // (a JWT or a seed may hold any letters, `END` or `BEGIN` among them).
        func isMarker(_ line: String, _ word: String) -> Bool { line.hasPrefix("-") && line.contains(word) }
        func block(_ marker: String) -> String? {
            guard let begin = lines.firstIndex(where: { isMarker($0, "BEGIN") && $0.contains(marker) }), begin + 1 < lines.count,
                  !lines[begin + 1].hasPrefix("-") else { return nil }
            return lines[begin + 1]
        }
        let seed = block("SEED") ?? (lines.count == 1 ? lines[0] : nil)
        guard let seed else { throw .invalidCredentials("no NKey seed in the file") }
        nkey = try NKey(seed: seed)
        guard nkey.kind == .user else { throw .invalidCredentials("the seed is not a user's (SU…)") }
        jwt = block("JWT")
        if jwt == nil, lines.contains(where: { isMarker($0, "BEGIN") && $0.contains("JWT") }) {
            throw .invalidCredentials("an empty JWT block")
        }
    }

    /// The CONNECT fields that prove who the client is, for the server's `nonce`.
    func connectFields(nonce: String?) -> [String: String] {
        var fields: [String: String] = [:]
        if let jwt { fields["jwt"] = jwt } else { fields["nkey"] = nkey.publicKey }
        if let nonce { fields["sig"] = Self.base64URL(nkey.sign(Array(nonce.utf8))) }
        return fields
    }

    public static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
