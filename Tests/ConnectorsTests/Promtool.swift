import Foundation

/// Debian's `promtool` (package prometheus, installed by `make deps`): what it says of
/// rules, their unit tests and a scraped `/metrics`.
enum Promtool {
    /// Runs `promtool arguments…` in `directory` with `input` on standard input; answers
    /// its exit status and everything it wrote.
    static func run(_ arguments: [String], input: String? = nil, in directory: String? = nil) throws -> (status: Int32, output: String) {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/promtool") else {
            return (-1, "no /usr/bin/promtool: run `make deps` (Debian's prometheus package)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/promtool")
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        let stdin = Pipe()
        process.standardInput = stdin
        try process.run()
        stdin.fileHandleForWriting.write(Data((input ?? "").utf8))
        try stdin.fileHandleForWriting.close()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    /// `promtool check metrics`: Prometheus's lint of an exposition (names, units, help).
    static func checkMetrics(_ exposition: String) throws -> (status: Int32, output: String) {
        try run(["check", "metrics"], input: exposition)
    }
}
