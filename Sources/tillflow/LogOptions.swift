import ArgumentParser
import LiveNode
import Logging

/// How a long-running command logs (`run edge`, `worker`): swift-log on standard error,
/// one line per event, as text for people or JSON for log shippers.
struct LogOptions: ParsableArguments {
    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Option(help: "Log lines as text or json.") var logFormat: Format = .text
    @Option(help: "Least level logged: trace, debug, info, notice, warning, error or critical.") var logLevel: Logger.Level = .info

    /// Bootstraps swift-log (once per process).
    func bootstrap() {
        let (format, level) = (logFormat, logLevel)
        LoggingSystem.bootstrap { label in
            switch format {
            case .text:
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            case .json:
                var handler = JSONLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
        }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
