import ArgumentParser
import Dataflow
#if canImport(Glibc)
import Glibc
#endif

/// The command line of an executable that runs jobs: the one entry point a user's own
/// job needs to get `replay` with everything `tillflow replay` has (checkpoints,
/// recovery after a crash, the progress bar, the summary, a clean stop on SIGINT and
/// SIGTERM):
///
///     JobCommandLine.main(job: BigBaskets())
///     // big-baskets replay --input pos.jsonl --out out/ [--state memory] [...]
///
/// or, with options of the job's own parsed beside the run's:
///
///     JobCommandLine.main(BigBasketsOptions.self) { BigBaskets(minItems: $0.minItems) }
public enum JobCommandLine {
    /// Runs the command line for `job`, and exits.
    public static func main(job: any Job) -> Never {
        main(NoJobOptions.self) { _ in job }
    }

    /// Runs the command line for the job `makeJob` builds from its own options, and exits.
    public static func main<Options: ParsableArguments>(_ options: Options.Type,
                                                        job makeJob: @escaping (Options) throws -> any Job) -> Never {
        JobFactory.make = { try makeJob($0 as! Options) }
        run(JobExecutable<Options>.self)
    }

    /// Parses the arguments as `root` and runs the command they name. Every failure ends
    /// in one line on standard error and a non-zero exit: never a stack trace, never the
    /// usage text after a mistake (`--help` shows it); a stop by signal exits with
    /// 128 + the signal.
    ///
    /// - Parameter expand: turns the command line's arguments into those parsed (the
    ///   options a `--config` file holds, put in); what it throws is reported as a
    ///   parse error would be.
    public static func run(_ root: any ParsableCommand.Type,
                           expand: ([String]) throws -> [String] = { $0 }) -> Never {
        MallocArenas.limit()
        do {
            var command = try root.parseAsRoot(expand(Array(CommandLine.arguments.dropFirst())))
            try command.run()
            exit(0)
        } catch let stopped as StoppedBySignal {
            fputs("\(commandName): \(stopped)\n", stderr)
            exit(128 + stopped.signal)
        } catch {
            let code = root.exitCode(for: error)
            if code == .success { root.exit(withError: error) }
            let message = root.message(for: error)
                .split(separator: "\n", omittingEmptySubsequences: true).first.map(String.init) ?? "failed"
            fputs("\(commandName): \(message)\n", stderr)
            exit(code.rawValue == 0 ? 1 : code.rawValue)
        }
    }

    /// The executable's name, as it prefixes its error lines.
    static var commandName: String {
        CommandLine.arguments.first.map { String($0.split(separator: "/").last ?? Substring($0)) } ?? "tillflow"
    }
}

/// For a job without options of its own.
public struct NoJobOptions: ParsableArguments {
    public init() {}
}

/// The job of a `JobCommandLine.main` executable (an executable runs one).
enum JobFactory {
    nonisolated(unsafe) static var make: ((any ParsableArguments) throws -> any Job)!
}

struct JobExecutable<Options: ParsableArguments>: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: JobCommandLine.commandName, subcommands: [JobReplay<Options>.self])
    }
}

struct JobReplay<Options: ParsableArguments>: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "replay", abstract: "Run the job over historical files as fast as the machine allows.")
    }

    @OptionGroup var runOptions: RunOptions
    @OptionGroup var options: Options

    func run() throws {
        try runOptions.replay(try JobFactory.make(options))
    }
}
