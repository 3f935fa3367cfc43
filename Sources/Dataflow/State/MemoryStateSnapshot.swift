/// The memory backend's checkpoint: every entry of every state in one checksummed file
/// (`ChecksummedFile`, magic `TFMS`).
///
///     state count (UInt32), then per state:
///       operator id | state name | kind (0 value, 1 map) | entry count (UInt64)
///       entries: key bytes, value bytes (each UInt32 length + bytes)
///
/// An entry's key bytes are its key then its namespace (or user key) in the state codec;
/// a value state's value bytes are its expiry (Int64) then its value, a map state's its
/// value. Restoring reads the whole file and hands each state its entries when the job
/// asks for the state again.
///
/// The partitions of one state write a section each, under the same id; reading joins
/// them, and each partition of the restoring job takes the entries of its key groups,
/// so the state restores into any number of partitions.
enum MemoryStateSnapshot {
    static let magic = Array("TFMS".utf8)
    static let version: UInt16 = 1
    static let fileName = "memory-state.tfms"

    struct Section {
        var kind: UInt8
        var entries: [(key: [UInt8], value: [UInt8])]
    }

    typealias SectionID = StateEntryCount.ID

    static func write(_ states: [any MemorySnapshotState], into directory: String) throws {
        try Directory.create(directory)
        try ChecksummedFile.write(directory + "/" + fileName, magic: magic, version: version) { out in
            out.state.write(UInt32(states.count))
            for state in states {
                out.state.write(state.operatorID.name)
                out.state.write(state.name)
                out.state.write(state.snapshotKind)
                out.state.write(UInt64(state.entryCount))
                try state.writeEntries(&out)
            }
        }
    }

    static func read(from directory: String) throws -> [SectionID: Section] {
        var (reader, version) = try ChecksummedFile.read(directory + "/" + fileName, magic: magic)
        guard version == Self.version else {
            throw CheckpointError("memory state snapshot version \(version) is not supported (expected \(Self.version))")
        }
        var sections: [SectionID: Section] = [:]
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
            if let earlier = sections[id] {
                guard earlier.kind == kind else {
                    throw CheckpointError("state '\(id.state)' of operator '\(id.operator)' is in the snapshot as two kinds of state")
                }
                sections[id]!.entries.append(contentsOf: entries)
            } else {
                sections[id] = Section(kind: kind, entries: entries)
            }
        }
        return sections
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
    func writeEntries(_ out: inout ChecksummedFileWriter) throws
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
    var snapshotKind: UInt8 { 0 }
    var entryCount: Int { count }

    func writeEntries(_ out: inout ChecksummedFileWriter) throws {
        if let writer = snapshotWriter { try writer(&out) } else { try writeMemoryEntries(&out) }
    }

    func restoreEntries(_ snapshot: [(key: [UInt8], value: [UInt8])]) throws -> [(key: [UInt8], value: [UInt8])] {
        var entries: [Entry: Stored] = [:]
        entries.reserveCapacity(snapshot.count)
        var restoredExpiries: [(expiresAt: Int64, entry: Entry)] = []
        var others: [(key: [UInt8], value: [UInt8])] = []
        var scratch = StateWriter()
        for (keyBytes, valueBytes) in snapshot {
            var k = StateReader(keyBytes)
            let entry = Entry(key: try Key.decode(from: &k), namespace: try Namespace.decode(from: &k))
            if groups != .all && !groups.contains(KeyGroup(of: entry.key, scratch: &scratch)) {
                others.append((keyBytes, valueBytes))
                continue
            }
            var v = StateReader(valueBytes)
            let expiresAt = try v.readInt64()
            entries[entry] = Stored(value: try Value.decode(from: &v), expiresAt: expiresAt)
            if expiresAt != .max { restoredExpiries.append((expiresAt, entry)) }
        }
        restoredExpiries.sort { $0.expiresAt < $1.expiresAt }
        storage = .memory(entries)
        expiries = restoredExpiries
        expiryHead = 0
        return others
    }
}

extension MapState: MemorySnapshotState {
    var snapshotKind: UInt8 { 1 }
    var entryCount: Int { count }

    func writeEntries(_ out: inout ChecksummedFileWriter) throws {
        if let writer = snapshotWriter { try writer(&out) } else { try writeMemoryEntries(&out) }
    }

    func restoreEntries(_ snapshot: [(key: [UInt8], value: [UInt8])]) throws -> [(key: [UInt8], value: [UInt8])] {
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
        storage = .memory(maps)
        return others
    }
}

extension ValueState {
    /// Makes the writer of this state's snapshot entries here, where the caller's concrete
    /// types are known: called through the backend protocol, `writeMemoryEntries` would
    /// run unspecialized (measured 1 s for a million entries).
    @inlinable
    public func prepareSnapshots() {
        guard snapshotWriter == nil, case .memory = storage else { return }
        snapshotWriter = { [unowned self] out in try self.writeMemoryEntries(&out) }
    }

    @inlinable
    func writeMemoryEntries(_ out: inout ChecksummedFileWriter) throws {
        guard case .memory(let entries) = storage else { return }
        for (entry, stored) in entries {
            try out.writeEntry(
                key: { entry.key.encode(to: &$0); entry.namespace.encode(to: &$0) },
                value: { $0.write(stored.expiresAt); stored.value.encode(to: &$0) })
        }
    }
}

extension MapState {
    /// See `ValueState.prepareSnapshots`.
    @inlinable
    public func prepareSnapshots() {
        guard snapshotWriter == nil, case .memory = storage else { return }
        snapshotWriter = { [unowned self] out in try self.writeMemoryEntries(&out) }
    }

    @inlinable
    func writeMemoryEntries(_ out: inout ChecksummedFileWriter) throws {
        guard case .memory(let maps) = storage else { return }
        for (key, map) in maps {
            for (userKey, value) in map {
                try out.writeEntry(key: { key.encode(to: &$0); userKey.encode(to: &$0) }, value: { value.encode(to: &$0) })
            }
        }
    }
}
