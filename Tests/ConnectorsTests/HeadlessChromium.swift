import Foundation

/// Debian's chromium (installed by `make deps`), headless: a page as the browser has
/// parsed and laid it out, and a screenshot of it. Its own profile directory each time,
/// so that parallel tests share nothing; no sandbox (tests may run as root in CI).
enum HeadlessChromium {
    static let binary = "/usr/bin/chromium"

    /// The page's DOM after loading, as chromium serializes it.
    static func dom(of url: String) async throws -> String {
        try await offThePool { try run(["--dump-dom", url]).output }
    }

    /// Saves a screenshot of the page, `width` × `height`, as PNG at `path`.
    static func screenshot(of url: String, to path: String, width: Int = 1_280, height: Int = 1_600) async throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try? FileManager.default.removeItem(atPath: path)
        _ = try await offThePool { try run(["--screenshot=\(path)", "--window-size=\(width),\(height)", "--hide-scrollbars", url]) }
    }

    /// Where tests keep what they leave for a person to look at.
    static var outputDirectory: String { LiveFixture.root + "/.build/test-output" }

    private static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "no \(binary): run `make deps` (Debian's chromium package)"])
        }
        let profile = NSTemporaryDirectory() + "tillflow-chromium-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: profile) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--user-data-dir=\(profile)"]
            + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }
}
