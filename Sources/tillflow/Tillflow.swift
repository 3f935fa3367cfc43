import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif

@main
struct Tillflow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tillflow",
        abstract: "A stream-processing dataflow engine for retail.",
        subcommands: [Generate.self, Replay.self, Checkpoints.self])

    /// Every failure ends in one line on standard error and a non-zero exit: never a
    /// stack trace, never the usage text after a mistake (`--help` shows it).
    static func main() {
        MallocArenas.limit()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let interrupted as Interrupted {
            fputs("tillflow: \(interrupted)\n", stderr)
            Glibc.exit(128 + interrupted.signal)
        } catch {
            let code = exitCode(for: error)
            if code == .success { exit(withError: error) }
            let message = self.message(for: error)
                .split(separator: "\n", omittingEmptySubsequences: true).first.map(String.init) ?? "failed"
            fputs("tillflow: \(message)\n", stderr)
            Glibc.exit(code.rawValue == 0 ? 1 : code.rawValue)
        }
    }
}
