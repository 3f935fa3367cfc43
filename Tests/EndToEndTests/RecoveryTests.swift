import Foundation
import Testing

/// Spec/cli.md on recovery, through the binary: a replay killed at any moment and
/// started again with the same command ends with the outputs of one uninterrupted run,
/// byte for byte; damaged checkpoints are reported and skipped; nothing is ever
/// silently started afresh over old outputs.
@Suite(.serialized, .timeLimit(.minutes(10))) struct RecoveryTests: RunsTillflow {
    static let outputs = ["valid.jsonl", "invalid.jsonl", "turnover.jsonl", "rollup.jsonl", "late.jsonl",
                          "decisions.jsonl", "alerts.jsonl", "availability.jsonl"]

    /// A generated inventory stream (transactions and inventory events) for the edge job.
    func generatedInput(_ f: ReplayFixture, count: Int = 12_000) throws -> String {
        let input = f.directory + "/edge.jsonl"
        let gen = try tillflow("generate", "inventory", "--locations", "6", "--skus", "40", "--count", String(count),
                               "--seed", "11", "--out", input)
        #expect(gen.status == 0, "\(gen.stderr)")
        return input
    }

    func replayEdge(_ input: String, out: String, _ extra: [String] = []) -> [String] {
        ["replay", "edge", "--input", input, "--out", out, "--checkpoint-interval", "100ms", "--batch-lines", "256"] + extra
    }

    func expectSameOutputs(_ a: String, _ b: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for name in Self.outputs {
            let x = FileManager.default.contents(atPath: a + "/" + name)
            let y = FileManager.default.contents(atPath: b + "/" + name)
            let same = x != nil && x == y
            #expect(same, "\(name) differs: \(x?.count ?? -1) vs \(y?.count ?? -1) bytes", sourceLocation: sourceLocation)
        }
    }

    /// The harness itself: a command still running at its deadline is killed with what
    /// it started in the background, and says so; the test goes on.
    @Test func aCommandPastItsDeadlineIsKilledWithItsChildren() throws {
        let run = try shell("sleep 600 & echo $! > /dev/stderr; sleep 600", deadline: .seconds(1))
        #expect(run.status == SIGKILL)
        #expect(run.stderr.contains("killed: still running after 1.0 seconds"), "\(run.stderr)")
        let child = try #require(Int32(run.stderr.split(separator: "\n").first ?? ""))
        // The background sleep is gone too (or a zombie, dead but not yet reaped).
        usleep(100_000)
        let stat = (try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8)) ?? ""
        let state = stat.split(separator: ")").last?.split(separator: " ").first
        #expect(stat.isEmpty || state == "Z", "\(stat)")
    }

    @Test func aFinishedReplayStartedAgainChangesNothing() throws {
        let f = try ReplayFixture(); defer { f.remove() }
        let input = try generatedInput(f, count: 2_000)
        let out = f.directory + "/out"
        #expect(try tillflow(replayEdge(input, out: out)).status == 0)
        let before = Self.outputs.map { FileManager.default.contents(atPath: out + "/" + $0) }
        let again = try tillflow(replayEdge(input, out: out))
        #expect(again.status == 0)
        #expect(again.stdout.contains("already finished"))
        #expect(Self.outputs.map { FileManager.default.contents(atPath: out + "/" + $0) } == before)
    }

    @Test(arguments: ["rocksdb", "memory"])
    func aStopSignalEndsTheRunAfterACheckpointFromWhichItResumes(_ state: String) throws {
        let f = try ReplayFixture(); defer { f.remove() }
        let input = try generatedInput(f)
        #expect(try tillflow(replayEdge(input, out: f.directory + "/reference", ["--state", state])).status == 0)
        let out = f.directory + "/out"
        let stopped = try shell("$TILLFLOW \(replayEdge(input, out: out, ["--state", state]).joined(separator: " ")) & "
            + pauseAfterCheckpoints(2, in: out) + "kill -TERM $!; kill -CONT $!; wait $!")
        #expect(stopped.status == 143, "\(stopped.stderr)")
        #expect(stopped.stderr.contains("stopped by SIGTERM after checkpoint"), "\(stopped.stderr)")
        let resumed = try tillflow(replayEdge(input, out: out, ["--state", state]))
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stdout.contains("resumed from"), "\(resumed.stdout)")
        expectSameOutputs(f.directory + "/reference", f.directory + "/out")
        let again = try tillflow(replayEdge(input, out: out, ["--state", state]))
        #expect(again.status == 0 && again.stdout.contains("already finished"), "\(again.stdout)\(again.stderr)")
        expectSameOutputs(f.directory + "/reference", f.directory + "/out")
    }

    /// Shell, after a run started in the background (`$!`): waits until `out` holds `n`
    /// checkpoint directories, then stops the run with SIGSTOP, so that it is certainly
    /// still going when the test acts on it (a signal sent to it now is handled once it
    /// gets SIGCONT). Exits 97 if the run ended first, 98 if 120 s pass first.
    func pauseAfterCheckpoints(_ n: Int, in out: String) -> String {
        "deadline=$((SECONDS + 120)); "
            + "while [ $(ls \(out)/.state/checkpoints 2>/dev/null | wc -l) -lt \(n) ]; do "
            + "kill -0 $! 2>/dev/null || { echo 'the run ended before \(n) checkpoints' >&2; exit 97; }; "
            + "[ $SECONDS -lt $deadline ] || { echo 'no \(n) checkpoints in 120 s' >&2; kill -KILL $!; exit 98; }; "
            + "sleep 0.01; done; kill -STOP $!; "
            + "case $(ps -o stat= -p $!) in T*) ;; *) echo 'the run ended before it was paused' >&2; exit 97;; esac; "
    }

    /// Runs the replay until it has taken at least three checkpoints, then kills it.
    func crashAfterThreeCheckpoints(_ input: String, out: String) throws {
        let run = try shell("$TILLFLOW \(replayEdge(input, out: out).joined(separator: " ")) > /dev/null & "
            + pauseAfterCheckpoints(3, in: out) + "kill -KILL $!; wait $!")
        #expect(run.status == 137, "the run ended before it could be killed: \(run.stderr)")
    }

    func newestCheckpoint(_ out: String) throws -> String {
        let dir = out + "/.state/checkpoints"
        let names = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix("chk-") }.sorted()
        // While the kill lands a next checkpoint may be half written: the newest complete one.
        let complete = names.filter { FileManager.default.fileExists(atPath: dir + "/" + $0 + "/checkpoint.manifest") }
        return dir + "/" + complete.last!
    }

    /// A kill during the first checkpoint (taken before the first record) leaves a
    /// checkpoint directory without its manifest and no output: nothing was committed,
    /// so the next run starts afresh. Once a checkpoint was completed, all of them
    /// unusable is still refused.
    @Test func aRunKilledDuringItsFirstCheckpointStartsAfreshButDamagedCompleteOnesAreRefused() throws {
        let f = try ReplayFixture(); defer { f.remove() }
        let input = try generatedInput(f)
        #expect(try tillflow(replayEdge(input, out: f.directory + "/reference")).status == 0)
        let out = f.directory + "/out"
        try FileManager.default.createDirectory(atPath: out + "/.state/checkpoints/chk-0000000001/state",
                                                withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: out + "/valid.jsonl", contents: Data()))
        let run = try tillflow(replayEdge(input, out: out))
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("was ever completed"), "\(run.stderr)")
        expectSameOutputs(f.directory + "/reference", out)

        let checkpoints = out + "/.state/checkpoints"
        for name in try FileManager.default.contentsOfDirectory(atPath: checkpoints) {
            try Data("garbage".utf8).write(to: URL(fileURLWithPath: checkpoints + "/" + name + "/checkpoint.manifest"))
        }
        let refused = try tillflow(replayEdge(input, out: out))
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("no usable checkpoint"), "\(refused.stderr)")
    }

    @Test func aCorruptNewestManifestIsReportedInOneLineAndTheOneBeforeIsUsed() throws {
        let f = try ReplayFixture(); defer { f.remove() }
        let input = try generatedInput(f)
        #expect(try tillflow(replayEdge(input, out: f.directory + "/reference")).status == 0)
        let out = f.directory + "/out"
        try crashAfterThreeCheckpoints(input, out: out)
        let manifest = try newestCheckpoint(out) + "/checkpoint.manifest"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: manifest))
        bytes[bytes.count / 2] ^= 0x20
        try bytes.write(to: URL(fileURLWithPath: manifest))
        let resumed = try tillflow(replayEdge(input, out: out))
        #expect(resumed.status == 0, "\(resumed.stderr)")
        // One line per unusable checkpoint: the corrupt one, and one the kill may have cut short.
        let lines = resumed.stderr.split(separator: "\n")
        #expect(lines.allSatisfy { $0.hasPrefix("tillflow: checkpoint ") && $0.contains("unusable") }, "\(resumed.stderr)")
        #expect(lines.filter { $0.contains("checksum") }.count == 1, "\(resumed.stderr)")
        expectSameOutputs(f.directory + "/reference", out)
    }

    @Test func aTruncatedStateFileInTheNewestCheckpointMakesTheOneBeforeUsed() throws {
        let f = try ReplayFixture(); defer { f.remove() }
        let input = try generatedInput(f)
        #expect(try tillflow(replayEdge(input, out: f.directory + "/reference")).status == 0)
        let out = f.directory + "/out"
        try crashAfterThreeCheckpoints(input, out: out)
        let state = try newestCheckpoint(out) + "/state"
        let sst = try FileManager.default.contentsOfDirectory(atPath: state).filter { $0.hasSuffix(".sst") }.sorted().last!
        // The checkpoint's SST is a hard link to the live database's file: cut a copy.
        let path = state + "/" + sst
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        try FileManager.default.removeItem(atPath: path)
        try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: path))
        let resumed = try tillflow(replayEdge(input, out: out))
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("\(sst) has"), "\(resumed.stderr)")
        expectSameOutputs(f.directory + "/reference", out)
    }

    @Test func outputsWithoutTheirCheckpointDirectoryAreRefusedNotOverwritten() throws {
        let f = try ReplayFixture(); defer { f.remove() }
        let input = try generatedInput(f)
        let out = f.directory + "/out"
        try crashAfterThreeCheckpoints(input, out: out)
        let valid = FileManager.default.contents(atPath: out + "/valid.jsonl")
        // Every checkpoint directory gone, manifests and all.
        for name in try FileManager.default.contentsOfDirectory(atPath: out + "/.state/checkpoints") {
            try FileManager.default.removeItem(atPath: out + "/.state/checkpoints/" + name)
        }
        let refused = try tillflow(replayEdge(input, out: out))
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("--overwrite"), "\(refused.stderr)")
        #expect(FileManager.default.contents(atPath: out + "/valid.jsonl") == valid)
    }

    @Test func aSecondRunOverAStateDirectoryInUseIsRefused() throws {
        let f = try ReplayFixture(); defer { f.remove() }
        let input = try generatedInput(f)
        let out = f.directory + "/out"
        let second = try shell("$TILLFLOW \(replayEdge(input, out: out).joined(separator: " ")) > /dev/null & "
            + pauseAfterCheckpoints(1, in: out)
            + "$TILLFLOW \(replayEdge(input, out: out).joined(separator: " ")); status=$?; kill -KILL %1; exit $status")
        expectOneLineFailure(second, mentioning: "in use by another run")
        // The lock dies with its process: the same command then resumes.
        #expect(try tillflow(replayEdge(input, out: out)).status == 0)
    }

    @Test func checkpointsOfAnotherJobOrSettingsAreNotUsed() throws {
        let f = try ReplayFixture(); defer { f.remove() }
        let input = try generatedInput(f, count: 2_000)
        let out = f.directory + "/out"
        #expect(try tillflow(replayEdge(input, out: out)).status == 0)
        expectOneLineFailure(try tillflow(replayEdge(input, out: out, ["--window", "5s"])), mentioning: "other settings")
        expectOneLineFailure(try tillflow(replayEdge(input, out: out, ["--state", "memory"])), mentioning: "--state rocksdb")
    }

    /// A file size limit makes writes fail with EFBIG, as a full disk fails them with
    /// ENOSPC: the run stops with a one-line error naming the file, and the same command
    /// without the limit resumes from the last checkpoint and loses nothing.
    @Test func aWriteThatFailsStopsTheRunClearlyAndLosesNothing() throws {
        let f = try ReplayFixture(); defer { f.remove() }
        let input = try generatedInput(f)
        #expect(try tillflow(replayEdge(input, out: f.directory + "/reference")).status == 0)
        let out = f.directory + "/out"
        let full = try shell("ulimit -f 1500; exec $TILLFLOW \(replayEdge(input, out: out).joined(separator: " "))")
        #expect(full.status == 1)
        #expect(full.stderr.split(separator: "\n").count == 1, "\(full.stderr)")
        #expect(full.stderr.contains("File too large"), "\(full.stderr)")
        let resumed = try tillflow(replayEdge(input, out: out))
        #expect(resumed.status == 0, "\(resumed.stderr)")
        expectSameOutputs(f.directory + "/reference", out)
    }

    /// A checkpoint from a build with the previous manifest layout (version 1: source
    /// offsets as file positions) is refused in one line that says so, never taken for
    /// damage and never silently started afresh over its outputs.
    @Test func aCheckpointInTheOlderLayoutIsRefusedInOneLine() throws {
        let f = try ReplayFixture(); defer { f.remove() }
        let input = try generatedInput(f, count: 2_000)
        let out = f.directory + "/out"
        #expect(try tillflow(replayEdge(input, out: out)).status == 0)
        let checkpoints = out + "/.state/checkpoints"
        for name in try FileManager.default.contentsOfDirectory(atPath: checkpoints) {
            try rewriteVersion(of: checkpoints + "/" + name + "/checkpoint.manifest", to: 1)
        }
        expectOneLineFailure(try tillflow(replayEdge(input, out: out)), mentioning: "older layout (manifest version 1")
        #expect(try tillflow(replayEdge(input, out: out, ["--overwrite"])).status == 0)
    }

    /// Sets the layout version of a checksummed file (magic, version, body, length,
    /// FNV-1a checksum of everything before it; integers big-endian) and its checksum to match.
    func rewriteVersion(of path: String, to version: UInt16) throws {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[4] = UInt8(version >> 8)
        bytes[5] = UInt8(version & 0xFF)
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes[..<(bytes.count - 8)] { hash = (hash ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        for i in 0 ..< 8 { bytes[bytes.count - 1 - i] = UInt8(truncatingIfNeeded: hash >> (8 * UInt64(i))) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    @Test func checkpointsListAndInspectShowPositionsAndEntriesPerOperator() throws {
        let f = try ReplayFixture(); defer { f.remove() }
        let input = try generatedInput(f)
        let out = f.directory + "/out"
        let stopped = try shell("$TILLFLOW \(replayEdge(input, out: out).joined(separator: " ")) > /dev/null & "
            + pauseAfterCheckpoints(2, in: out) + "kill -TERM $!; kill -CONT $!; wait $!")
        #expect(stopped.status == 143, "\(stopped.stderr)")
        let list = try tillflow("checkpoints", "list", "--state-dir", out + "/.state")
        #expect(list.status == 0)
        let lines = list.stdout.split(separator: "\n")
        #expect(lines.count >= 2 && lines.count <= 3)  // the start and the stop at least; 3 kept at most
        #expect(lines[0].contains("input file 0 line "), "\(list.stdout)")
        #expect(lines[0].contains("dedup=") && lines[0].contains("inventory="), "\(list.stdout)")
        let inspect = try tillflow("checkpoints", "inspect", "--state-dir", out + "/.state")
        #expect(inspect.stdout.contains("output      valid.jsonl"))
        #expect(inspect.stdout.contains("entries     dedup/seen: "), "\(inspect.stdout)")

        // The finished run's checkpoint keeps no keyed state, and says so.
        #expect(try tillflow(replayEdge(input, out: out)).status == 0)
        let finished = try tillflow("checkpoints", "list", "--state-dir", out + "/.state")
        #expect(finished.stdout.split(separator: "\n")[0].contains("finished"), "\(finished.stdout)")
        #expect(finished.stdout.split(separator: "\n")[0].contains("not kept after the end of input"), "\(finished.stdout)")
        expectOneLineFailure(try tillflow("checkpoints", "list", "--state-dir", f.directory + "/nowhere"), mentioning: "nowhere")
    }
}
