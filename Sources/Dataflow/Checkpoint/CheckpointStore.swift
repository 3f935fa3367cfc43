/// The checkpoints of one job in a directory (`STATE_DIR/checkpoints`):
///
///     chk-0000000007/state/...               the state backend's files
///     chk-0000000007/checkpoint.manifest     written last: the checkpoint is complete
///
/// A new checkpoint gets the next id; once it is complete, the store keeps the newest
/// `retained` complete checkpoints and deletes every other directory (older ones,
/// incomplete ones left by a crash, ones found unusable at recovery).
public final class CheckpointStore {
    public static let retained = 3

    /// A checkpoint directory and whether it can be restored.
    public struct Listing {
        public var id: UInt64
        public var path: String
        /// The manifest of a usable checkpoint, or why it cannot be used.
        public var manifest: Result<CheckpointManifest, CheckpointError>
        /// Written in another layout than this build's (not damaged: see `CheckpointLayoutError`).
        public var layout: CheckpointLayoutError?

        public var statePath: String { path + "/state" }
    }

    public let directory: String
    /// Checkpoints found unusable: deleted once a newer one is complete.
    private var unusable: Set<UInt64> = []

    public init(directory: String) {
        self.directory = directory
    }

    static func name(of id: UInt64) -> String {
        let digits = String(id)
        return "chk-" + String(repeating: "0", count: max(0, 10 - digits.count)) + digits
    }

    /// The ids of the checkpoint directories present, ascending.
    public func ids() throws -> [UInt64] {
        guard Directory.exists(directory) else { return [] }
        return try Directory.list(directory).compactMap { name in
            name.hasPrefix("chk-") ? UInt64(name.dropFirst(4)) : nil
        }.sorted()
    }

    /// Whether any checkpoint directory got as far as its manifest (written last). When
    /// none did, no checkpoint ever committed anything: the only run there was stopped
    /// during its first checkpoint, before its first record.
    public func anyCompleted() throws -> Bool {
        try ids().contains { Directory.fileSize(directory + "/" + Self.name(of: $0) + "/" + CheckpointManifest.fileName) != nil }
    }

    /// Every checkpoint directory, newest first, each checked: manifest intact, and every
    /// state file it names present with its recorded size (a truncated or missing file
    /// makes the checkpoint unusable before anything tries to open it).
    public func listings() throws -> [Listing] {
        try ids().reversed().map { id in
            let path = directory + "/" + Self.name(of: id)
            let manifest = Result { try Self.verify(path) }
            return Listing(id: id, path: path, manifest: manifest.mapError { error in
                error as? CheckpointError ?? CheckpointError("\(error)")
            }, layout: { if case .failure(let e as CheckpointLayoutError) = manifest { e } else { nil } }())
        }
    }

    static func verify(_ path: String) throws -> CheckpointManifest {
        let manifest = try CheckpointManifest.read(from: path)
        guard Directory.exists(path + "/state") else { throw CheckpointError("its state directory is missing") }
        for file in manifest.stateFiles {
            guard let size = Directory.fileSize(path + "/state/" + file.name) else {
                throw CheckpointError("state file \(file.name) is missing")
            }
            guard size == file.size else {
                throw CheckpointError("state file \(file.name) has \(size) bytes, not the \(file.size) recorded")
            }
        }
        return manifest
    }

    /// The complete checkpoints a run can resume from, newest first; `skipping` is told,
    /// in one line each, about newer ones that cannot be used (and they are deleted once
    /// a newer checkpoint is complete).
    public func usable(skipping: (String) -> Void) throws -> [Listing] {
        var found: [Listing] = []
        for listing in try listings() {
            switch listing.manifest {
            case .success: found.append(listing)
            case .failure where listing.layout != nil && found.isEmpty:
                throw CheckpointError("checkpoint \(listing.id) in \(directory) was \(listing.layout!)")
            case .failure(let error):
                unusable.insert(listing.id)
                if found.isEmpty { skipping("checkpoint \(listing.id) in \(directory) is unusable: \(error); trying an older one") }
            }
        }
        return found
    }

    /// Writes checkpoint `id`: the state backend's files (none without a backend), then
    /// the manifest made by `manifest` from the state files written. Then prunes old
    /// checkpoints.
    public func write(id: UInt64, state: (any StateBackend)?,
                      manifest: ([CheckpointManifest.StateFile]) throws -> CheckpointManifest) throws -> CheckpointManifest {
        let path = directory + "/" + Self.name(of: id)
        try Directory.remove(path)  // a leftover of a crash while writing this id
        try Directory.create(path)
        if let state {
            try state.checkpoint(into: path + "/state")
        } else {
            try Directory.create(path + "/state")
        }
        let files = try Directory.list(path + "/state").map { name in
            CheckpointManifest.StateFile(name: name, size: Directory.fileSize(path + "/state/" + name) ?? 0)
        }
        try syncFiles(files.map(\.name), in: path + "/state")
        let complete = try manifest(files)
        try complete.write(into: path)
        try Directory.sync(directory)
        try prune()
        return complete
    }

    /// Makes the state files durable before the manifest says they are there.
    private func syncFiles(_ names: [String], in path: String) throws {
        for name in names { try Directory.syncFile(path + "/" + name) }
        try Directory.sync(path)
    }

    /// Keeps the newest `retained` complete checkpoints and deletes every other directory.
    public func prune() throws {
        var kept = 0
        for id in try ids().reversed() {
            let path = directory + "/" + Self.name(of: id)
            let complete = !unusable.contains(id) && Directory.fileSize(path + "/" + CheckpointManifest.fileName) != nil
            if complete && kept < Self.retained {
                kept += 1
            } else if kept > 0 {
                try Directory.remove(path)
                unusable.remove(id)
            }
        }
    }

    /// The id for the next checkpoint: after every directory present.
    public func nextID() throws -> UInt64 { (try ids().last ?? 0) + 1 }

    /// Deletes every checkpoint (a run started afresh with `--overwrite`).
    public func removeAll() throws { try Directory.remove(directory) }
}
