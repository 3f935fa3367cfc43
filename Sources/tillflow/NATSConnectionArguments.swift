import ArgumentParser
import Foundation
import NATS

/// The connection options of every command that talks to NATS (cli.md): the servers,
/// and who the client is. `--password-file` keeps the password off the command line
/// and out of `ps`; its content's last line break is not part of it.
struct NATSConnectionArguments: ParsableArguments {
    @Option(help: "NATS server URLs (nats://host:port, or tls://host:port for TLS), comma-separated.") var nats: String
    @Option(help: "User name for the server.") var user: String?
    @Option(help: "A file holding the user's password.") var passwordFile: String?
    @Option(help: "A NATS credentials file: a user's JWT and NKey seed (.creds), or a user's NKey seed alone.") var creds: String?
    @Option(help: "CA certificates (PEM) the servers' TLS certificates must chain to (implies TLS).") var tlsCa: String?
    @Option(help: "Replicas of the streams and buckets this command creates, or raises to (3 on a hub cluster).")
    var replicas = 1

    var servers: [String] { nats.split(separator: ",").map { String($0.trimmingCharacters(in: .whitespaces)) } }

    func validate() throws {
        guard !servers.isEmpty, servers.allSatisfy({ !$0.isEmpty }) else { throw ValidationError("--nats needs a server URL") }
        if creds != nil, user != nil { throw ValidationError("give --creds or --user, not both") }
        if passwordFile != nil, user == nil { throw ValidationError("--password-file needs --user") }
        guard (1 ... 5).contains(replicas) else { throw ValidationError("--replicas must be within 1...5 (JetStream's limit)") }
    }

    /// JetStream over `connection`, creating streams and buckets with `--replicas`.
    func jetStream(_ connection: NATSConnection) -> JetStream {
        JetStream(connection, replicas: replicas)
    }

    /// The options to connect with: servers, user and password (read now).
    func options() throws -> NATSConnectionOptions {
        var options = NATSConnectionOptions(servers: servers)
        options.user = user
        options.tlsCAFile = tlsCa
        if let creds {
            do {
                options.credentials = try NATSCredentials(file: creds)
            } catch {
                throw ValidationError("--creds \(creds): \(error)")
            }
        }
        if let passwordFile {
            guard var password = try? String(contentsOfFile: passwordFile, encoding: .utf8) else {
                throw ValidationError("--password-file \(passwordFile): cannot read the file")
            }
            if password.hasSuffix("\n") { password.removeLast() }
            if password.hasSuffix("\r") { password.removeLast() }
            options.password = password
        }
        return options
    }
}
