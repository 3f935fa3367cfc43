#if canImport(Glibc)
import Glibc
#endif

/// How a run finds the state it resumes from: the newest usable checkpoint in its state
/// directory, or a fresh backend when there is none.
struct Recovery {
    let stateDirectory: String
    let backend: StateBackendKind
    let memoryBudget: Int64
    let store: CheckpointStore
    /// Where a line about a skipped checkpoint goes (standard error in the command line).
    let warn: (String) -> Void

    init(stateDirectory: String, backend: StateBackendKind, memoryBudget: Int64, warn: @escaping (String) -> Void) {
        self.stateDirectory = stateDirectory
        self.backend = backend
        self.memoryBudget = memoryBudget
        self.warn = warn
        store = CheckpointStore(directory: stateDirectory + "/checkpoints")
    }

    var liveDatabase: String { stateDirectory + "/db" }

    /// Forgets every checkpoint and the live database (`--overwrite`).
    func discard() throws {
        try store.removeAll()
        try Directory.remove(liveDatabase)
    }

    /// The usable checkpoints, newest first. A state directory whose checkpoints are all
    /// unusable, or that belong to another job or backend, is an error: never a silent
    /// fresh start over the outputs those checkpoints committed. Unless none of them was
    /// ever completed: a run killed during its first checkpoint (taken before its first
    /// record) committed nothing, so its leftovers are removed and the run starts afresh
    /// (outputs it may have written are still protected, `OutputDirectory.prepare`).
    func candidates(expecting identity: String) throws -> [CheckpointStore.Listing] {
        let usable: [CheckpointStore.Listing]
        do {
            usable = try store.usable { warn($0) }
        } catch let error as CheckpointError {
            throw JobError("\(error); finish that run with the build that wrote it, or pass --overwrite to start afresh")
        }
        if usable.isEmpty, !(try store.ids().isEmpty) {
            guard try store.anyCompleted() else {
                warn("no checkpoint in \(store.directory) was ever completed (a run stopped during its first one); starting afresh")
                try store.removeAll()
                return []
            }
            throw JobError("no usable checkpoint in \(store.directory); pass --overwrite to start afresh")
        }
        if let newest = usable.first, case .success(let manifest) = newest.manifest {
            guard manifest.job == identity else {
                throw JobError("the checkpoints in \(store.directory) belong to another job or other settings "
                    + "(\(manifest.job)); pass --overwrite to start afresh")
            }
            guard manifest.backend == backend else {
                throw JobError("the checkpoints in \(store.directory) hold \(manifest.backend.rawValue) state; "
                    + "run with --state \(manifest.backend.rawValue), or pass --overwrite to start afresh")
            }
        }
        return usable
    }

    /// Builds the job on the newest candidate that restores; one that fails (a damaged
    /// state file the manifest's sizes did not reveal) is reported in one line and the
    /// next older one tried. No candidates: a fresh job on a fresh backend.
    func restore<Built>(_ candidates: [CheckpointStore.Listing],
                        make: (any StateBackend, CheckpointManifest?) throws -> Built) throws -> (Built, CheckpointManifest?) {
        if candidates.isEmpty { return (try make(try freshBackend(), nil), nil) }
        var failures: [String] = []
        for candidate in candidates {
            let manifest = try candidate.manifest.get()
            // A finished run's checkpoint holds no keyed state, and none is needed.
            if manifest.finished { return (try make(try freshBackend(), manifest), manifest) }
            do {
                let state: any StateBackend = switch backend {
                case .memory: try MemoryStateBackend(restoringFrom: candidate.statePath)
                case .rocksdb: try RocksDBStateBackend(directory: liveDatabase, memoryBudget: memoryBudget,
                                                       restoringFrom: candidate.statePath)
                }
                return (try make(state, manifest), manifest)
            } catch {
                warn("checkpoint \(manifest.id) cannot be restored: \(error); trying an older one")
                failures.append("checkpoint \(manifest.id): \(error)")
            }
        }
        throw JobError("no checkpoint in \(store.directory) could be restored (\(failures.joined(separator: "; "))); "
            + "pass --overwrite to start afresh")
    }

    private func freshBackend() throws -> any StateBackend {
        switch backend {
        case .memory:
            return MemoryStateBackend()
        case .rocksdb:
            try Directory.remove(liveDatabase)
            try Directory.create(liveDatabase)
            return try RocksDBStateBackend(directory: liveDatabase, memoryBudget: memoryBudget)
        }
    }
}
