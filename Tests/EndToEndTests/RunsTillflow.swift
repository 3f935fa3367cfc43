import Foundation
import Testing

/// Runs the `tillflow` binary of this build as a process (or `TILLFLOW_BIN`).
protocol RunsTillflow {}

struct Run {
    var status: Int32
    var stdout: String
    var stderr: String
}

extension RunsTillflow {
    static var binary: String {
        if let path = ProcessInfo.processInfo.environment["TILLFLOW_BIN"] { return path }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/tillflow").path
    }

    func tillflow(_ arguments: String...) throws -> Run { try tillflow(arguments) }

    func tillflow(_ arguments: [String]) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = arguments
        return try collect(process)
    }

    /// Runs a shell command line, with `$TILLFLOW` standing for the binary. (`Process`
    /// starts it in a process group of its own, so a deadline kills what it started too.)
    func shell(_ command: String, deadline: Duration = .seconds(300)) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", command]
        process.environment = ProcessInfo.processInfo.environment.merging(["TILLFLOW": Self.binary]) { $1 }
        return try collect(process, deadline: deadline)
    }

    /// Runs `process` to its end, or kills it (and its process group, when it leads
    /// one) once `deadline` has passed; its stderr then says so. No
    /// test waits forever on a run that hangs.
    func collect(_ process: Process, deadline: Duration = .seconds(300)) throws -> Run {
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let watchdog = Watchdog(process)
        let (seconds, attoseconds) = deadline.components
        DispatchQueue.global().asyncAfter(
            deadline: .now() + .nanoseconds(Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000))) {
            watchdog.fire()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let fired = watchdog.disarm()
        return Run(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                   stderr: String(decoding: errData, as: UTF8.self) + (fired ? "\n(killed: still running after \(deadline))" : ""))
    }

    func expectOneLineFailure(_ run: Run, mentioning text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(run.status != 0, sourceLocation: sourceLocation)
        let lines = run.stderr.split(separator: "\n")
        #expect(lines.count == 1, "stderr: \(run.stderr)", sourceLocation: sourceLocation)
        #expect(run.stderr.hasPrefix("tillflow: "), sourceLocation: sourceLocation)
        #expect(run.stderr.contains(text), "stderr: \(run.stderr)", sourceLocation: sourceLocation)
    }
}

/// Kills a process that outlived its deadline, unless disarmed first.
final class Watchdog: @unchecked Sendable {
    private let process: Process
    private let lock = NSLock()
    private var armed = true
    private var fired = false

    init(_ process: Process) { self.process = process }

    func fire() {
        lock.lock(); defer { lock.unlock() }
        guard armed, process.isRunning else { return }
        fired = true
        let pid = process.processIdentifier
        if getpgid(pid) == pid { kill(-pid, SIGKILL) }
        kill(pid, SIGKILL)
    }

    /// Whether it fired.
    func disarm() -> Bool {
        lock.lock(); defer { lock.unlock() }
        armed = false
        return fired
    }
}
