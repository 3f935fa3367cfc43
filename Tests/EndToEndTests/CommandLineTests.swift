import Foundation
import Jobs
import Testing

/// The `tillflow` command line of spec/cli.md, run as a process.
@Suite(.timeLimit(.minutes(5))) struct CommandLineTests: RunsTillflow {
    @Test func generateThenReplayPrintsASummaryAndNoProgressBarWhenNotATerminal() throws {
        let f = try ReplayFixture(); defer { f.remove() }
        let input = f.directory + "/pos.jsonl"
        let gen = try tillflow("generate", "pos", "--stores", "5", "--count", "2000", "--seed", "1",
                               "--invalid-fraction", "0.01", "--out", input)
        #expect(gen.status == 0, "\(gen.stderr)")
        let run = try tillflow("replay", "turnover", "--input", input, "--out", f.directory + "/out", "--state", "memory")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("replay turnover: 2,000 records"))
        #expect(run.stdout.contains("records/s"))
        #expect(run.stdout.contains("malformed_json") || run.stdout.contains("bad_field"))
        #expect(run.stdout.contains("windows fired"))
        #expect(!run.stderr.contains("\u{1B}"))  // no progress bar drawn
        for name in ["valid", "invalid", "turnover", "rollup", "late"] {
            #expect(FileManager.default.fileExists(atPath: f.directory + "/out/\(name).jsonl"))
        }
    }

    @Test func aReplayRefusesToWriteOverOutputsWithoutACheckpointUnlessToldTo() throws {
        let f = try ReplayFixture(); defer { f.remove() }
        let input = try f.write("tx.jsonl", [tx("a", at: T0)])
        #expect(try tillflow("replay", "validation", "--input", input, "--out", f.directory + "/out").status == 0)
        try FileManager.default.removeItem(atPath: f.directory + "/out/.state")
        expectOneLineFailure(try tillflow("replay", "validation", "--input", input, "--out", f.directory + "/out"),
                             mentioning: "--overwrite")
        #expect(try tillflow("replay", "validation", "--input", input, "--out", f.directory + "/out", "--overwrite").status == 0)
    }

    @Test func badInvocationsFailWithOneLine() throws {
        let f = try ReplayFixture(); defer { f.remove() }
        let input = try f.write("tx.jsonl", [tx("a", at: T0)])
        let out = f.directory + "/out"
        expectOneLineFailure(try tillflow("replay", "validation", "--input", f.directory + "/nope.jsonl", "--out", out),
                             mentioning: "nope.jsonl")
        expectOneLineFailure(try tillflow("replay", "nonsense", "--input", input, "--out", out), mentioning: "nonsense")
        expectOneLineFailure(try tillflow("replay", "turnover", "--input", input, "--out", out, "--window", "ten"),
                             mentioning: "window")
        expectOneLineFailure(try tillflow("replay", "turnover", "--input", input, "--out", out, "--total-mismatch", "maybe"),
                             mentioning: "total-mismatch")
        expectOneLineFailure(try tillflow("replay", "turnover", "--input", input, "--out", out, "--bogus"), mentioning: "bogus")
        expectOneLineFailure(try tillflow("replay", "turnover", "--input", input, "--out", out, "--state", "disk"),
                             mentioning: "--state")
        expectOneLineFailure(try tillflow("replay", "turnover", "--input", input, "--out", out, "--state-memory", "lots"),
                             mentioning: "state-memory")
        let badZst = try f.writeBytes("bad.jsonl.zst", Array("not zstd at all".utf8))
        expectOneLineFailure(try tillflow("replay", "validation", "--input", badZst, "--out", out), mentioning: "bad.jsonl.zst")
        let badCSV = try f.write("bad.csv", ["tx_id,store_id", "a,b"])
        expectOneLineFailure(try tillflow("replay", "validation", "--input", badCSV, "--out", out, "--overwrite"),
                             mentioning: "bad.csv")
    }

    @Test func generateInventoryWritesCountLinesAndSaysWhat() throws {
        let f = try ReplayFixture(); defer { f.remove() }
        let out = f.directory + "/inventory.jsonl"
        let run = try tillflow("generate", "inventory", "--locations", "5", "--skus", "40", "--count", "3000", "--seed", "3",
                               "--invalid-fraction", "0.01", "--span", "2h", "--start", "2026-11-21T08:00:00Z", "--out", out)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.split(separator: "\n").count == 1)
        #expect(run.stderr.hasPrefix("wrote 3000 lines ("))
        #expect(run.stderr.contains("30 invalid"))
        let bytes = try #require(FileManager.default.contents(atPath: out))
        #expect(bytes.filter { $0 == 0x0A }.count == 3000)
        #expect(String(decoding: bytes.prefix(40), as: UTF8.self).hasPrefix(#"{"type":"stock_set","event_id":"e000001""#))

        expectOneLineFailure(try tillflow("generate", "inventory", "--locations", "0", "--out", out), mentioning: "--locations")
        expectOneLineFailure(try tillflow("generate", "inventory", "--skus", "5000", "--out", out), mentioning: "--skus")
        expectOneLineFailure(try tillflow("generate", "inventory", "--invalid-fraction", "2", "--out", out),
                             mentioning: "--invalid-fraction")
        expectOneLineFailure(try tillflow("generate", "inventory", "--count", "10"), mentioning: "--out")
        expectOneLineFailure(try tillflow("generate", "inventory", "--count", "10", "--out", f.directory + "/no/such/dir.jsonl"),
                             mentioning: "no/such/dir.jsonl")
    }

    @Test func replayEdgeWritesTheOutputsOfAllThreeJobs() throws {
        let f = try ReplayFixture(); defer { f.remove() }
        let input = f.directory + "/mixed.jsonl"
        let gen = try tillflow("generate", "inventory", "--locations", "4", "--skus", "20", "--count", "3000",
                               "--invalid-fraction", "0.01", "--out", input)
        #expect(gen.status == 0, "\(gen.stderr)")
        let run = try tillflow("replay", "edge", "--input", input, "--out", f.directory + "/out", "--low-stock-threshold", "3")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("replay edge: 3,000 records"))
        #expect(run.stdout.contains("decisions") && run.stdout.contains("windows fired"))
        for name in JobKind.edge.outputs {
            #expect(FileManager.default.fileExists(atPath: f.directory + "/out/" + name), "\(name) missing")
        }
        let rocks = try tillflow("replay", "edge", "--input", input, "--out", f.directory + "/rocks", "--low-stock-threshold", "3",
                                 "--state", "rocksdb", "--state-memory", "64MiB")
        #expect(rocks.status == 0, "\(rocks.stderr)")
        for name in JobKind.edge.outputs {
            let same = FileManager.default.contents(atPath: f.directory + "/out/" + name)
                == FileManager.default.contents(atPath: f.directory + "/rocks/" + name)
            #expect(same, "\(name) differs with --state rocksdb")
        }
        #expect(FileManager.default.fileExists(atPath: f.directory + "/rocks/.state/db"))
        let alerts = try String(contentsOfFile: f.directory + "/out/alerts.jsonl", encoding: .utf8)
        #expect(!alerts.contains("\"threshold\":5"))
        expectOneLineFailure(try tillflow("replay", "edge", "--input", input, "--out", f.directory + "/x",
                                          "--low-stock-threshold", "-1"), mentioning: "low-stock-threshold")
    }

    @Test func everySubcommandHasHelp() throws {
        for command in [["--help"], ["replay", "--help"], ["generate", "pos", "--help"], ["generate", "inventory", "--help"]] {
            let run = try tillflow(command[0], command.count > 1 ? command[1] : "--help", command.count > 2 ? command[2] : "--help")
            #expect(run.status == 0)
            #expect(run.stdout.contains("USAGE") || run.stdout.contains("Usage") || run.stdout.contains("usage"))
        }
    }

    /// Defaults are shown as a user would type them (cli.md's table), not as Swift values.
    @Test func helpShowsTheDefaultsOfCliMd() throws {
        let run = try tillflow("replay", "--help")
        let text = run.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        for shown in ["(default: 256MiB)", "(default: 10s)", "(default: 2s)", "(default: 0s)", "(default: 24h)",
                      "(default: correct)", "(default: rocksdb)", "(default: 5)"] {
            #expect(text.contains(shown), "replay --help lacks \(shown)")
        }
    }
}
