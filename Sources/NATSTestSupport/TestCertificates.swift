import Foundation

/// For tests of TLS: a certificate authority of its own and a server certificate it
/// signed for `127.0.0.1` (an IP subject alternative name), made with the `openssl`
/// command in a temporary directory; `remove()` deletes them.
public struct TestCertificates: Sendable {
    public let directory: String
    public var caFile: String { directory + "/ca.pem" }
    public var certificateFile: String { directory + "/server.pem" }
    public var keyFile: String { directory + "/server.key" }

    public init() throws {
        directory = NSTemporaryDirectory() + "tillflow-tls-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try "subjectAltName=IP:127.0.0.1\n".write(toFile: directory + "/san.ext", atomically: true, encoding: .utf8)
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try Self.openssl(["req", "-x509"] + ec + ["-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=tillflow test CA"],
                         in: directory)
        try Self.openssl(["req"] + ec + ["-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1"], in: directory)
        try Self.openssl(["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                          "-out", "server.pem", "-days", "2", "-extfile", "san.ext"], in: directory)
        // A configuration rather than --tls flags, for the handshake's timeout: the
        // server's 2 s default is too short for a debug build's first handshake on a
        // busy machine (the server closes the connection mid-handshake).
        try "tls {\n  cert_file: \"\(certificateFile)\"\n  key_file: \"\(keyFile)\"\n  timeout: 10\n}\n"
            .write(toFile: directory + "/tls.conf", atomically: true, encoding: .utf8)
    }

    /// nats-server's arguments to require TLS with this certificate.
    public var serverArguments: [String] { ["-c", directory + "/tls.conf"] }

    public func remove() { try? FileManager.default.removeItem(atPath: directory) }

    static func openssl(_ arguments: [String], in directory: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw NATSServer.ServerError("openssl \(arguments.prefix(2).joined(separator: " ")) failed")
        }
    }
}
