/// The memory backend's checkpoint: a chain of snapshot files, each checksummed
/// (`ChecksummedFile`, magic `TFMS`), named `memory-state-<sequence>.tfms`:
///
///     state count (UInt32), then per state:
///       operator id | state name | kind | entry count (UInt64)
///       entries: key bytes, value bytes (each UInt32 length + bytes)
///
/// Kinds: 0 a value state's entries, 1 a map state's entries, 2 a value state's
/// *changes* since the file before: entries put (their value) or removed (empty value
/// bytes). An entry's key bytes are its key then its namespace (or user key) in the
/// state codec; a value state's value bytes are its expiry (Int64) then its value, a map
/// state's its value.
///
/// Why a chain: a whole snapshot of a million dedup keys takes ~0.6 s, so checkpoints
/// every second would be mostly snapshotting. A checkpoint writes one new file with the
/// changes of each value state that logged them (whole entries for the others) and
/// hard-links the files before it in the chain from the previous checkpoint (no copy;
/// each checkpoint directory holds its whole chain, so pruning older checkpoints breaks
/// nothing). The file is whole when no chain is at hand, when the changes in the chain
/// have grown as large as its whole first file (so a restore reads at most about twice
/// the state, and whole files, written at geometric steps of a growing state, cost about
/// as much in all as the last one), or after `maxChain` files.
/// Reading applies the files in order: whole sections replace a state's entries (the
/// sections of one file under one id, from a state's partitions, are joined), change
/// sections are applied over them. Each partition of the restoring job then takes the
/// entries of its key groups, so the state restores into any number of partitions.
enum MemoryStateSnapshot {
    static let magic = Array("TFMS".utf8)
    static let version: UInt16 = 2
    static let filePrefix = "memory-state-"
    static let fileSuffix = ".tfms"
    /// Most files in a chain: bounds the files a restore opens.
    static let maxChain = 64

    static let valueEntries: UInt8 = 0
    static let mapEntries: UInt8 = 1
    static let valueChanges: UInt8 = 2

    struct Section {
        var kind: UInt8
        var entries: [(key: [UInt8], value: [UInt8])]
    }

    typealias SectionID = StateEntryCount.ID

    static func fileName(_ sequence: Int) -> String {
        let digits = String(sequence)
        return filePrefix + String(repeating: "0", count: max(0, 6 - digits.count)) + digits + fileSuffix
    }

    /// The snapshot files of a checkpoint's state directory, in chain order.
    static func files(in directory: String) throws -> [String] {
        try Directory.list(directory).filter { $0.hasPrefix(filePrefix) && $0.hasSuffix(fileSuffix) }
    }

    /// Writes into `directory` (created) the chain `previous` (paths of the files of the
    /// last checkpoint, linked) and one new file with each state's changes, or whole
    /// states in a new chain (see the type's comment); returns the paths of the chain
    /// written.
    static func write(_ states: [any MemorySnapshotState], previous: [String], into directory: String) throws -> [String] {
        try Directory.create(directory)
        let continues = continuesChain(previous)
        var chain: [String] = []
        if continues {
            for path in previous {
                let name = path.split(separator: "/").last.map(String.init) ?? path
                try Directory.link(path, to: directory + "/" + name)
                chain.append(directory + "/" + name)
            }
        }
        let path = directory + "/" + fileName(chain.count)
        try ChecksummedFile.write(path, magic: magic, version: version) { out in
            out.state.write(UInt32(states.count))
            for state in states {
                let changes = continues && state.hasChangeLog
                out.state.write(state.operatorID.name)
                out.state.write(state.name)
                out.state.write(changes ? valueChanges : state.snapshotKind)
                out.state.write(UInt64(changes ? state.changeCount : state.entryCount))
                try state.writeEntries(&out, changesOnly: changes)
            }
        }
        for state in states { state.snapshotTaken() }
        chain.append(path)
        return chain
    }

    /// Whether the next file adds changes to `chain`: there is one, it is shorter than
    /// `maxChain`, and its change files weigh less than its whole first file.
    static func continuesChain(_ chain: [String]) -> Bool {
        guard let first = chain.first, chain.count < maxChain else { return false }
        let changes = chain.dropFirst().reduce(Int64(0)) { $0 + (Directory.fileSize($1) ?? .max / 2) }
        return changes < (Directory.fileSize(first) ?? 0)
    }

    /// Every state's entries as of the last file of the chain in `directory`.
    static func read(from directory: String) throws -> [SectionID: Section] {
        let names = try files(in: directory)
        guard !names.isEmpty else { throw CheckpointError("\(directory) holds no memory state snapshot") }
        var states: [SectionID: ComposedSection] = [:]
        for (fileIndex, name) in names.enumerated() {
            var (reader, version) = try ChecksummedFile.read(directory + "/" + name, magic: magic)
            guard version == Self.version else {
                throw CheckpointError("memory state snapshot version \(version) is not supported (expected \(Self.version))")
            }
            let count = try reader.readUInt32()
            for _ in 0 ..< count {
                let id = SectionID(operator: OperatorID(try reader.readString()), state: try reader.readString())
                let kind = try reader.readUInt8()
                let n = try reader.readUInt64()
                var entries: [(key: [UInt8], value: [UInt8])] = []
                entries.reserveCapacity(Int(min(n, 1 << 24)))
                for _ in 0 ..< n {
                    let key = try reader.readBytes()
                    let value = try reader.readBytes()
                    entries.append((key, value))
                }
                if kind == valueChanges {
                    guard states[id]?.kind == valueEntries else {
                        throw CheckpointError("\(name) changes state '\(id.state)' of operator '\(id.operator)', which the files before it do not hold as a value state")
                    }
                    states[id]!.apply(entries)
                } else if var earlier = states[id], earlier.wholeIn == fileIndex {
                    guard earlier.kind == kind else {
                        throw CheckpointError("state '\(id.state)' of operator '\(id.operator)' is in the snapshot as two kinds of state")
                    }
                    states[id] = nil  // keep `earlier` uniquely referenced while it grows
                    earlier.entries.append(contentsOf: entries)
                    states[id] = earlier
                } else {
                    states[id] = ComposedSection(kind: kind, wholeIn: fileIndex, entries: entries)
                }
            }
        }
        return states.mapValues { Section(kind: $0.kind, entries: $0.live) }
    }

    /// One state's entries as the files of a chain build them up.
    struct ComposedSection {
        var kind: UInt8
        /// The file of the chain whose whole sections hold the state.
        var wholeIn: Int
        /// Entries in the order written; a removed one has empty value bytes.
        var entries: [(key: [UInt8], value: [UInt8])]
        /// Position of each key in `entries`, made when the first changes arrive.
        var positions: [[UInt8]: Int]? = nil

        mutating func apply(_ changes: [(key: [UInt8], value: [UInt8])]) {
            if positions == nil {
                var made: [[UInt8]: Int] = [:]
                made.reserveCapacity(entries.count)
                for (i, entry) in entries.enumerated() { made[entry.key] = i }
                positions = made
            }
            for change in changes {
                if let i = positions![change.key] {
                    entries[i].value = change.value
                } else if !change.value.isEmpty {
                    positions![change.key] = entries.count
                    entries.append(change)
                }
            }
        }

        var live: [(key: [UInt8], value: [UInt8])] {
            positions == nil ? entries : entries.filter { !$0.value.isEmpty }
        }
    }

    static func entryCounts(in directory: String) throws -> [StateEntryCount] {
        var counts: [SectionID: Int64] = [:]
        for (id, section) in try read(from: directory) { counts[id] = Int64(section.entries.count) }
        return StateEntryCount.sorted(counts)
    }
}

/// A state of the memory backend as it goes into and comes out of a snapshot.
protocol MemorySnapshotState: AnyObject {
    var operatorID: OperatorID { get }
    var name: String { get }
    var snapshotKind: UInt8 { get }
    var entryCount: Int { get }
    /// Whether the state knows its changes since the last snapshot, and how many.
    var hasChangeLog: Bool { get }
    var changeCount: Int { get }
    /// Writes every entry, or (`changesOnly`) the changed ones (kind `valueChanges`).
    func writeEntries(_ out: inout ChecksummedFileWriter, changesOnly: Bool) throws
    /// Starts logging changes afresh: a snapshot was taken.
    func snapshotTaken()
    var groups: KeyGroupRange { get }
    /// Takes the entries whose keys fall in the state's key groups; returns the others.
    func restoreEntries(_ entries: [(key: [UInt8], value: [UInt8])]) throws -> [(key: [UInt8], value: [UInt8])]
}

extension ChecksummedFileWriter {
    /// One entry: key bytes and value bytes, each with its length in front, encoded in
    /// place (no intermediate arrays: a snapshot can hold millions of entries).
    @inlinable
    public mutating func writeEntry(key: (inout StateWriter) -> Void, value: (inout StateWriter) -> Void) throws {
        state.writeLengthPrefixed(key)
        state.writeLengthPrefixed(value)
        try drainIfLarge()
    }
}

extension StateWriter {
    /// What `body` writes, with its 32-bit length in front.
    @inlinable
    public mutating func writeLengthPrefixed(_ body: (inout StateWriter) -> Void) {
        let start = bytes.count
        write(UInt32(0))
        body(&self)
        let n = UInt32(bytes.count - start - 4)
        for i in 0 ..< 4 { bytes[start + i] = UInt8(truncatingIfNeeded: n >> UInt32(24 - 8 * i)) }
    }

    /// Bytes with a 32-bit length in front.
    @inlinable public mutating func writeBytes(_ b: [UInt8]) {
        write(UInt32(b.count))
        bytes.append(contentsOf: b)
    }
}

extension StateReader {
    public mutating func readBytes() throws -> [UInt8] {
        Array(try take(Int(try readUInt32())))
    }
}

extension ValueState: MemorySnapshotState {
    var snapshotKind: UInt8 { MemoryStateSnapshot.valueEntries }
    var entryCount: Int { count }
    var hasChangeLog: Bool { memory?.changeLog != nil }
    var changeCount: Int { memory?.changeLog?.count ?? 0 }

    /// The memory storage: the only one a memory backend's snapshot reads.
    var memory: MemoryValueStorage<Key, Namespace, Value>? {
        if case .memory(let m) = storage { m } else { nil }
    }

    func writeEntries(_ out: inout ChecksummedFileWriter, changesOnly: Bool) throws {
        guard let memory else { return }
        if let writer = memory.snapshotWriter {
            try writer(&out, changesOnly)
        } else {
            try memory.writeEntries(&out, changesOnly: changesOnly)
        }
    }

    func snapshotTaken() { memory?.changeLog = [] }

    func restoreEntries(_ snapshot: [(key: [UInt8], value: [UInt8])]) throws -> [(key: [UInt8], value: [UInt8])] {
        guard let memory else { return snapshot }
        return try memory.restoreEntries(snapshot, groups: groups)
    }

    /// Makes the writer of this state's snapshot entries here, where the caller's concrete
    /// types are known: called through the backend protocol, `writeEntries` would run
    /// unspecialized (measured 1 s for a million entries).
    @inlinable
    public func prepareSnapshots() {
        guard case .memory(let m) = storage, m.snapshotWriter == nil else { return }
        m.snapshotWriter = { [unowned m] out, changesOnly in try m.writeEntries(&out, changesOnly: changesOnly) }
    }
}

extension MemoryValueStorage {
    @inlinable
    func writeEntries(_ out: inout ChecksummedFileWriter, changesOnly: Bool) throws {
        if changesOnly {  // in order: a later change of an entry overrides an earlier one
            for entry in changeLog ?? [] { try writeEntry(entry, &out) }
            return
        }
        for entry in 0 ..< table.numbered where table.values[entry] != nil { try writeEntry(entry, &out) }
    }

    /// One entry as it is now: its key bytes, and its expiry and value (none if removed).
    @inlinable
    func writeEntry(_ entry: Int, _ out: inout ChecksummedFileWriter) throws {
        try out.writeEntry(
            key: { w in table.keyBytes(of: entry) { w.bytes.append(contentsOf: $0) } },
            value: { w in
                guard let stored = table.values[entry] else { return }  // removed: empty value bytes
                w.write(stored.expiresAt)
                stored.value.encode(to: &w)
            })
    }

    /// Takes the entries of `groups` from a snapshot; returns the others.
    func restoreEntries(_ snapshot: [(key: [UInt8], value: [UInt8])],
                        groups: KeyGroupRange) throws -> [(key: [UInt8], value: [UInt8])] {
        var restored = EncodedEntryTable<Stored>()
        var restoredExpiries: [(expiresAt: Int64, entry: Int)] = []
        var others: [(key: [UInt8], value: [UInt8])] = []
        var scratch = StateWriter()
        for (keyBytes, valueBytes) in snapshot {
            var k = StateReader(keyBytes)
            let key = try Key.decode(from: &k)
            _ = try Namespace.decode(from: &k)  // the bytes must be an entry's
            if groups != .all && !groups.contains(KeyGroup(of: key, scratch: &scratch)) {
                others.append((keyBytes, valueBytes))
                continue
            }
            var v = StateReader(valueBytes)
            let expiresAt = try v.readInt64()
            let stored = Stored(value: try Value.decode(from: &v), expiresAt: expiresAt)
            let entry = keyBytes.withUnsafeBytes { bytes in
                let hash = EncodedEntryTable<Stored>.hash(bytes)
                if let known = restored.find(bytes, hash: hash) {
                    restored.values[known] = stored
                    return known
                }
                return restored.insert(bytes, hash: hash, value: stored)
            }
            if expiresAt != .max { restoredExpiries.append((expiresAt, entry)) }
        }
        restoredExpiries.sort { $0.expiresAt < $1.expiresAt }
        table = restored
        expiries = restoredExpiries
        expiryHead = 0
        changeLog = []
        return others
    }
}

extension MapState: MemorySnapshotState {
    var snapshotKind: UInt8 { MemoryStateSnapshot.mapEntries }
    var entryCount: Int { count }
    /// Map states (stock and reservations per location: small) are always written whole.
    var hasChangeLog: Bool { false }
    var changeCount: Int { 0 }

    func writeEntries(_ out: inout ChecksummedFileWriter, changesOnly: Bool) throws {
        precondition(!changesOnly, "a map state keeps no change log")
        guard case .memory(let m) = storage else { return }
        if let writer = m.snapshotWriter { try writer(&out) } else { try m.writeEntries(&out) }
    }

    func snapshotTaken() {}

    func restoreEntries(_ snapshot: [(key: [UInt8], value: [UInt8])]) throws -> [(key: [UInt8], value: [UInt8])] {
        guard case .memory(let m) = storage else { return snapshot }
        var maps: [Key: [UserKey: Value]] = [:]
        var others: [(key: [UInt8], value: [UInt8])] = []
        var scratch = StateWriter()
        for (keyBytes, valueBytes) in snapshot {
            var k = StateReader(keyBytes)
            let key = try Key.decode(from: &k)
            if groups != .all && !groups.contains(KeyGroup(of: key, scratch: &scratch)) {
                others.append((keyBytes, valueBytes))
                continue
            }
            let userKey = try UserKey.decode(from: &k)
            var v = StateReader(valueBytes)
            maps[key, default: [:]][userKey] = try Value.decode(from: &v)
        }
        m.maps = maps
        return others
    }

    /// See `ValueState.prepareSnapshots`.
    @inlinable
    public func prepareSnapshots() {
        guard case .memory(let m) = storage, m.snapshotWriter == nil else { return }
        m.snapshotWriter = { [unowned m] out in try m.writeEntries(&out) }
    }
}

extension MemoryMapStorage {
    @inlinable
    func writeEntries(_ out: inout ChecksummedFileWriter) throws {
        for (key, map) in maps {
            for (userKey, value) in map {
                try out.writeEntry(key: { key.encode(to: &$0); userKey.encode(to: &$0) }, value: { value.encode(to: &$0) })
            }
        }
    }
}
