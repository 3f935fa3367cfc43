import ArgumentParser
import Dataflow
import JobCommands
import Jobs
#if canImport(Glibc)
import Glibc
#endif

/// `tillflow checkpoints list|inspect --state-dir DIR`: the checkpoints a replay would
/// resume from, read without changing anything.
struct Checkpoints: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the checkpoints in a state directory.",
        discussion: """
            list: one line per complete checkpoint, newest first: id, time (UTC), size, source offsets, \
            entries per operator. inspect: every detail of each checkpoint (or of --id): job and settings, \
            source offsets, committed output lengths, operators' own state, entries per operator and state. \
            Checkpoints that cannot be used are named with the reason.
            """)

    @Argument(help: "list or inspect.") var action: String
    @Option(help: "The state directory (a replay's --state-dir, by default OUT/.state).") var stateDir: String
    @Option(help: "inspect: only this checkpoint.") var id: UInt64?

    func validate() throws {
        guard action == "list" || action == "inspect" else {
            throw ValidationError("expected list or inspect, not '\(action)'")
        }
    }

    func run() throws {
        guard Directory.exists(stateDir) else { throw JobError("no state directory at \(stateDir)") }
        let store = CheckpointStore(directory: stateDir + "/checkpoints")
        let listings = try store.listings().filter { id == nil || $0.id == id }
        if listings.isEmpty {
            throw JobError(id.map { "no checkpoint \($0) in \(store.directory)" } ?? "no checkpoints in \(store.directory)")
        }
        for listing in listings {
            switch listing.manifest {
            case .failure(let error):
                print("checkpoint \(listing.id): unusable: \(error)")
            case .success(let manifest):
                let counts = try manifest.backend.entryCounts(ofCheckpoint: listing.statePath)
                print(action == "list" ? line(manifest, counts) : details(manifest, counts, path: listing.path))
            }
        }
    }

    func line(_ m: CheckpointManifest, _ counts: [StateEntryCount]) -> String {
        var perOperator: [(String, Int64)] = []
        for c in counts {
            if let i = perOperator.firstIndex(where: { $0.0 == c.id.operator.name }) {
                perOperator[i].1 += c.count
            } else {
                perOperator.append((c.id.operator.name, c.count))
            }
        }
        let positions = m.sources.map { "\($0.0) \(offset($0.1))" }.joined(separator: ", ")
        let keys = m.finished ? "not kept after the end of input"
            : perOperator.isEmpty ? "none" : perOperator.map { "\($0.0)=\($0.1)" }.joined(separator: " ")
        return "\(m.id)  \(TimestampArgument(epochMillis: m.createdAtMs).description)  \(bytes(m.stateBytes))  \(m.backend.rawValue)"
            + (m.finished ? "  finished" : "") + "  \(positions)  keys: \(keys)"
    }

    func details(_ m: CheckpointManifest, _ counts: [StateEntryCount], path: String) -> String {
        var out = ["checkpoint \(m.id)\(m.finished ? " (finished: taken after the end of input)" : "")",
                   "  directory   \(path)",
                   "  time        \(TimestampArgument(epochMillis: m.createdAtMs).description), took \(SummaryText.milliseconds(Double(m.durationMicros) / 1e6))",
                   "  job         \(m.job)",
                   "  state       \(m.backend.rawValue), \(bytes(m.stateBytes)) in \(m.stateFiles.count) files"]
        for (id, p) in m.sources { out.append("  source      \(id): \(offset(p))") }
        for o in m.outputs { out.append("  output      \(o.name): \(SummaryText.count(o.length)) bytes committed") }
        for (id, blob) in m.operators { out.append("  operator    \(id): \(blob.count) bytes of its own state") }
        for c in counts { out.append("  entries     \(c.id.operator)/\(c.id.state): \(SummaryText.count(c.count))") }
        return out.joined(separator: "\n")
    }

    /// A source's offset as the replay jobs' file sources write it; another source's
    /// offset is shown by its size.
    func offset(_ bytes: [UInt8]) -> String {
        var reader = StateReader(bytes)
        guard let p = try? FileOffset.decode(from: &reader), reader.isAtEnd else { return "\(bytes.count) bytes of offset" }
        return "file \(p.fileIndex) line \(p.lineNumber) byte \(p.byteOffset)"
    }

    func bytes(_ n: Int64) -> String {
        if n < 1 << 20 { return "\(SummaryText.count((n + 1023) / 1024)) KiB" }
        let tenths = (n * 10 + (1 << 19)) >> 20
        return "\(tenths / 10).\(tenths % 10) MiB"
    }
}
