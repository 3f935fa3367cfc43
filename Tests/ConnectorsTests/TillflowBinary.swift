import Foundation
import NATS

/// The `tillflow` binary of this build, started by the tests that run it against a real
/// server, and what they read back.
var tillflowBinary: String {
    ProcessInfo.processInfo.environment["TILLFLOW_BIN"] ?? LiveFixture.root + "/.build/debug/tillflow"
}

/// Starts `tillflow` with `arguments`; its standard error goes to `log` when given (a
/// long-running process's log would fill a pipe nobody reads until it ends).
func launch(_ arguments: [String], log: String? = nil) throws -> Process {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: tillflowBinary)
    process.arguments = arguments
    process.standardOutput = Pipe()
    if let log {
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        process.standardError = FileHandle(forWritingAtPath: log)
    } else {
        process.standardError = Pipe()
    }
    try process.run()
    return process
}

/// How a process `launch` started ended, and what it wrote.
struct Finished {
    let status: Int32
    let stdout: String
    let stderr: String
}

/// Runs blocking work (waiting for a process) on a thread of its own. Swift Testing runs
/// the suites' async tests on the cooperative pool, which has a thread per core (two
/// here): a test blocking one for seconds starves every other suite's NATS client and
/// times its connections out.
func offThePool<T>(_ body: @escaping () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        nonisolated(unsafe) let body = body
        let thread = Thread { continuation.resume(with: Result { try body() }) }
        thread.start()
    }
}

/// Waits for a process `launch` started, then reads what it wrote (little, here); off
/// the cooperative pool.
func finished(_ process: Process) async -> Finished {
    nonisolated(unsafe) let process = process
    return try! await offThePool { finishedNow(process) }
}

/// `finished`, blocking the caller's thread.
func finishedNow(_ process: Process) -> Finished {
    process.waitUntilExit()
    func text(_ pipe: Any?) -> String {
        guard let pipe = pipe as? Pipe else { return "" }
        return String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    }
    return Finished(status: process.terminationStatus, stdout: text(process.standardOutput), stderr: text(process.standardError))
}

/// The last lines of a log `launch` wrote, for a failure's message.
func logTail(_ path: String, lines: Int = 30) -> String {
    let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? "(no log at \(path))"
    return "\n--- \(path):\n" + text.split(separator: "\n").suffix(lines).joined(separator: "\n")
}

/// The last ordinal on each subject, 0 for none.
func lastOrdinals(_ js: JetStream, _ subjects: [String]) async throws -> [Int] {
    var found: [Int] = []
    for subject in subjects {
        let last = try await js.directGetLast(stream: "TILLFLOW_OUT", subject: subject)
        found.append(last.flatMap { $0.headers?["Tillflow-Seq"] }.flatMap { Int($0) } ?? 0)
    }
    return found
}
