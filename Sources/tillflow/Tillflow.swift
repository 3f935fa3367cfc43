import ArgumentParser
import JobCommands
#if canImport(Glibc)
import Glibc
#endif

@main
struct Tillflow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tillflow",
        abstract: "A stream-processing dataflow engine for retail.",
        subcommands: [Generate.self, Replay.self, RunCommand.self, WorkerCommand.self, Submit.self, JobsCommand.self, StoresCommand.self,
                      Simulate.self,
                      Publish.self, Outputs.self, Checkpoints.self])

    static func main() {
        JobCommandLine.run(Tillflow.self, expand: ConfigFile.expand)
    }
}
