import ArgumentParser
import Dataflow
import Generators
import JobCommands
import Jobs
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `tillflow generate`: synthetic input data.
struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write synthetic input data.",
        subcommands: [GeneratePOS.self, GenerateInventory.self])
}

/// `tillflow generate pos`: synthetic POS transactions (spec section 1).
struct GeneratePOS: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pos",
        abstract: "Write synthetic POS transactions (JSON Lines or CSV; a .zst suffix compresses).",
        discussion: """
            The same options always write the same bytes. Event times follow a shopping day and \
            stay within the 2 s out-of-orderness bound unless --late-fraction pushes some back.
            """)

    @Option(help: "Number of stores (store-0001 ...).")
    var stores: Int = 50

    @Option(help: "Number of lines to write, injected ones included (a CSV header not counted).")
    var count: Int = 100_000

    @Option(help: "Seed of the random traffic.")
    var seed: UInt64 = 1

    @Option(help: "Output file; a name ending in .zst is written zstd-compressed.")
    var out: String

    @Option(help: "jsonl or csv (default: csv when --out ends in .csv or .csv.zst, else jsonl).")
    var format: OutputFormat?

    @Option(help: "Fraction of lines pushed 5 s to 10 min back in event time (0...1).")
    var lateFraction: Double = 0

    @Option(help: "Fraction of lines that re-send a recent line exactly (0...1).")
    var duplicateFraction: Double = 0

    @Option(help: "Fraction of lines that break a record rule (0...1).")
    var invalidFraction: Double = 0

    @Option(help: "Start of the event times: RFC 3339 or epoch milliseconds.")
    var start = TimestampArgument(epochMillis: POSGeneratorConfig.defaultStart)

    @Option(help: "Length of the event-time range (24h, 90m, 10s, 500ms).")
    var span = DurationArgument(milliseconds: POSGeneratorConfig.defaultSpan)

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
        case jsonl, csv
    }

    var config: POSGeneratorConfig {
        let chosen = format ?? (InputFile(path: out).format == .csv ? .csv : .jsonl)
        return POSGeneratorConfig(
            stores: stores, count: count, seed: seed, format: chosen == .csv ? .csv : .jsonLines,
            start: start.epochMillis, span: span.milliseconds,
            lateFraction: lateFraction, duplicateFraction: duplicateFraction, invalidFraction: invalidFraction)
    }

    func validate() throws {
        do {
            try config.validate()
        } catch let invalid as POSGeneratorConfig.Invalid {
            throw ValidationError(invalid.reason)
        }
    }

    func run() throws {
        let began = ContinuousClock.now
        let summary: POSGenerationSummary
        do {
            summary = try POSGenerator.write(config, to: out)
        } catch {
            throw CommandFailure("\(error)")
        }
        printToStandardError("wrote \(summary) to \(out) in \(secondsText(since: began)) s")
    }
}

/// `tillflow generate inventory`: a synthetic inventory stream (spec sections 1 and 5).
struct GenerateInventory: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inventory",
        abstract: "Write a synthetic inventory stream: stock sets, adjustments, reservations, commits, releases, "
            + "interleaved POS sales (JSON Lines; a .zst suffix compresses).",
        discussion: """
            The same options always write the same bytes. Event times follow a shopping day and \
            stay within the 2 s out-of-orderness bound.
            """)

    @Option(help: "Number of locations: stores store-0001 ... and about one warehouse wh-01 ... per ten.")
    var locations: Int = 20

    @Option(help: "Number of SKUs (SKU-00001 ...).")
    var skus: Int = 500

    @Option(help: "Number of lines to write, everything included.")
    var count: Int = 100_000

    @Option(help: "Seed of the random assortments and traffic.")
    var seed: UInt64 = 1

    @Option(help: "Output file; a name ending in .zst is written zstd-compressed.")
    var out: String

    @Option(help: "Start of the event times: RFC 3339 or epoch milliseconds.")
    var start = TimestampArgument(epochMillis: InventoryGeneratorConfig.defaultStart)

    @Option(help: "Length of the event-time range (24h, 90m, 10s, 500ms).")
    var span = DurationArgument(milliseconds: InventoryGeneratorConfig.defaultSpan)

    @Option(help: "Fraction of lines that are malformed inventory events or POS lines (0...1).")
    var invalidFraction: Double = 0

    @Option(help: "Fraction of the fresh traffic that is POS transactions (0...1); the rest, mostly reservations, keeps its proportions.")
    var posFraction: Double = InventoryGeneratorConfig.defaultPOSFraction

    var config: InventoryGeneratorConfig {
        InventoryGeneratorConfig(locations: locations, skus: skus, count: count, seed: seed,
                                 start: start.epochMillis, span: span.milliseconds, invalidFraction: invalidFraction,
                                 posFraction: posFraction)
    }

    func validate() throws {
        do {
            try config.validate()
        } catch let invalid as InventoryGeneratorConfig.Invalid {
            throw ValidationError(invalid.reason)
        }
    }

    func run() throws {
        let began = ContinuousClock.now
        let summary: InventoryGenerationSummary
        do {
            summary = try InventoryGenerator.write(config, to: out)
        } catch {
            throw CommandFailure("\(error)")
        }
        printToStandardError("wrote \(summary) to \(out) in \(secondsText(since: began)) s")
    }
}

/// Seconds since `began` for a summary line: two decimals under 10 s, one above.
func secondsText(since began: ContinuousClock.Instant) -> String {
    let elapsed = ContinuousClock.now - began
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    let shown = seconds < 10 ? (seconds * 100).rounded() / 100 : (seconds * 10).rounded() / 10
    return "\(shown)"
}

/// A failure to report as one line on stderr, exiting with status 1.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
    init(_ message: String) { description = message }
}

func printToStandardError(_ line: String) {
    var text = line + "\n"
    text.withUTF8 { bytes in _ = write(2, bytes.baseAddress, bytes.count) }
}
