import Foundation
import NATS

/// A nats-server in operator mode, as NATS's tools (`nsc`) set one up, for tests: an
/// operator, an account with JetStream and a system account, their JWTs preloaded into
/// the server's memory resolver, and users' `.creds` files (a user's JWT signed by the
/// account, and its NKey seed). Tillflow reads JWTs; it issues none outside tests.
public struct OperatorMode {
    public let operatorKey = NKey(random: .operator)
    public let account = NKey(random: .account)
    public let system = NKey(random: .account)

    public init() {}

    /// The configuration's operator part; a test adds `jetstream { ... }` and the rest.
    public var configuration: String {
        let unlimited: [String: Any] = ["subs": -1, "data": -1, "payload": -1, "imports": -1, "exports": -1, "wildcards": true,
                                        "conn": -1, "leaf": -1, "mem_storage": -1, "disk_storage": -1, "streams": -1, "consumer": -1]
        let operatorJWT = Self.jwt(of: operatorKey, name: "tillflow-test", ["type": "operator", "version": 2], signedBy: operatorKey)
        let accountJWT = Self.jwt(of: account, name: "retail", ["type": "account", "version": 2, "limits": unlimited], signedBy: operatorKey)
        let systemJWT = Self.jwt(of: system, name: "SYS", ["type": "account", "version": 2], signedBy: operatorKey)
        return """
            operator: \(operatorJWT)
            system_account: \(system.publicKey)
            resolver: MEMORY
            resolver_preload: { \(account.publicKey): \(accountJWT), \(system.publicKey): \(systemJWT) }

            """
    }

    /// A user's JWT in the account, allowed to publish `publish` and subscribe `subscribe`.
    public func userJWT(_ user: NKey, name: String, publish: [String], subscribe: [String] = ["_INBOX.>"]) -> String {
        Self.jwt(of: user, name: name, ["type": "user", "version": 2, "subs": -1, "data": -1, "payload": -1,
                                        "pub": ["allow": publish], "sub": ["allow": subscribe]], signedBy: account)
    }

    /// A `.creds` file's text for a new user of the account.
    public func creds(name: String, publish: [String], subscribe: [String] = ["_INBOX.>"]) -> String {
        let user = NKey(random: .user)
        return Self.creds(jwt: userJWT(user, name: name, publish: publish, subscribe: subscribe), seed: user)
    }

    /// A `.creds` file's text: `jwt`, and `seed` (which a forgery does not match).
    public static func creds(jwt: String, seed: NKey) -> String {
        "-----BEGIN NATS USER JWT-----\n\(jwt)\n------END NATS USER JWT------\n\n"
            + "************************* IMPORTANT *************************\n"
            + "-----BEGIN USER NKEY SEED-----\n\(seed.seed)\n------END USER NKEY SEED------\n"
    }

    /// A JWT as NATS's tools issue them.
    public static func jwt(of subject: NKey, name: String, _ nats: [String: Any], signedBy issuer: NKey) -> String {
        let claims: [String: Any] = ["jti": UUID().uuidString.replacingOccurrences(of: "-", with: ""), "iat": Int(Date().timeIntervalSince1970),
                                     "iss": issuer.publicKey, "sub": subject.publicKey, "name": name, "nats": nats]
        func part(_ object: Any) -> String {
            NATSCredentials.base64URL(Array(try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])))
        }
        let signed = part(["typ": "JWT", "alg": "ed25519-nkey"]) + "." + part(claims)
        return signed + "." + NATSCredentials.base64URL(issuer.sign(Array(signed.utf8)))
    }
}
