import ArgumentParser

@main
struct Tillflow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tillflow",
        abstract: "A stream-processing dataflow engine for retail.",
        subcommands: [Generate.self])
}
