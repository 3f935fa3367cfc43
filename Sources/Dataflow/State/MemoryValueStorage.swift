/// A value state's entries in the process's memory (the memory backend): keys as their
/// codec bytes in an `EncodedEntryTable`, expiries in the order they were put, and the
/// changes since the last snapshot.
public final class MemoryValueStorage<Key: StateKey, Namespace: StateNamespace, Value: StateCodable> {
    @usableFromInline typealias Stored = ExpiringValue<Value>

    @usableFromInline var rules: ExpiryRules
    /// The entries, keys as their bytes.
    @usableFromInline var table = EncodedEntryTable<Stored>()
    /// Where the key being looked up is encoded (no allocation once it has grown to the
    /// keys' size).
    @usableFromInline var scratch = StateWriter(capacity: 64)
    /// Writes the entries into a memory-backend snapshot (see `prepareSnapshots`): all of
    /// them, or (`true`) only those in `changeLog`.
    @usableFromInline var snapshotWriter: ((inout ChecksummedFileWriter, Bool) throws -> Void)?
    /// The entries put or removed since the last snapshot (their numbers in `table`, in
    /// order), so that the next one can hold only those (`MemoryStateSnapshot`). An
    /// entry is written as it is at the snapshot: a key's last number in the log is its
    /// newest entry, so a later change still overrides an earlier one. `nil` while not
    /// kept: before the first snapshot, once it outgrew half the state or 64 entries (a
    /// whole snapshot is then about as cheap, and the log stops costing memory and time
    /// until the next snapshot; a small state updated by every record, such as a
    /// window's, is written whole), and after the table renumbered its entries (removed
    /// ones can no longer be named).
    @usableFromInline var changeLog: [Int]? = nil
    /// Entries put with an expiry (their numbers), in the order they were put: the front
    /// is deleted as the watermark passes it. Out-of-order expiries behind a later one
    /// wait for it (they already read as absent).
    @usableFromInline var expiries: [(expiresAt: Int64, entry: Int)] = []
    @usableFromInline var expiryHead = 0

    init(stateLabel: String) { rules = ExpiryRules(stateLabel: stateLabel) }

    /// Encodes the entry's key bytes into `scratch`, and finds them.
    @inlinable
    func lookUp(_ key: Key, _ namespace: Namespace) -> (hash: UInt64, entry: Int?) {
        scratch.bytes.removeAll(keepingCapacity: true)
        key.encode(to: &scratch)
        namespace.encode(to: &scratch)
        return scratch.bytes.withUnsafeBytes { bytes in
            let hash = EncodedEntryTable<Stored>.hash(bytes)
            return (hash, table.find(bytes, hash: hash))
        }
    }

    /// Adds the entry whose bytes `lookUp` left in `scratch`.
    @inlinable
    func insertScratch(hash: UInt64, _ stored: Stored) -> Int {
        scratch.bytes.withUnsafeBytes { table.insert($0, hash: hash, value: stored) }
    }

    @inlinable
    func get(_ key: Key, _ namespace: Namespace) -> Value? {
        guard let entry = lookUp(key, namespace).entry, let stored = table.values[entry],
              !rules.hasExpired(stored.expiresAt) else { return nil }
        return stored.value
    }

    @inlinable
    func put(_ key: Key, _ namespace: Namespace, _ value: Value, expiringAt expiresAt: Int64) throws {
        let stored = Stored(value: value, expiresAt: expiresAt)
        let (hash, found) = lookUp(key, namespace)
        let number: Int
        if let found {
            try rules.checkOrder(live: table.values[found], putting: expiresAt)
            table.values[found] = stored
            number = found
        } else {
            number = insertScratch(hash: hash, stored)
        }
        logChange(number)
        expiries.append((expiresAt, number))
    }

    /// One hash lookup for a key seen for the first time (dedup's common case), not two.
    @inlinable
    func putIfAbsent(_ key: Key, _ namespace: Namespace, _ value: Value, expiringAt expiresAt: Int64) -> Value? {
        let stored = Stored(value: value, expiresAt: expiresAt)
        let (hash, found) = lookUp(key, namespace)
        let number: Int
        if let found {
            if let old = table.values[found], !rules.hasExpired(old.expiresAt) { return old.value }
            table.values[found] = stored
            number = found
        } else {
            number = insertScratch(hash: hash, stored)
        }
        logChange(number)
        expiries.append((expiresAt, number))
        return nil
    }

    @inlinable
    func update<R>(_ key: Key, _ namespace: Namespace, _ body: (inout Value?) throws -> R) rethrows -> R {
        var found = lookUp(key, namespace).entry
        let stored = found.flatMap { table.values[$0] }
        let live = stored.flatMap { rules.hasExpired($0.expiresAt) ? nil : $0 }
        var value = live?.value
        let renumberings = table.renumberings
        let result = try body(&value)
        // The body may have used this state: find the entry again if it moved.
        if table.renumberings != renumberings { found = lookUp(key, namespace).entry }
        if let f = found, table.values[f] == nil { found = nil }
        if let value {
            let changed = Stored(value: value, expiresAt: live?.expiresAt ?? .max)
            if found == nil {
                let (hash, again) = lookUp(key, namespace)
                found = again ?? insertScratch(hash: hash, changed)
            }
            table.values[found!] = changed
            logChange(found!)
        } else if let found {
            table.remove(found)
            logChange(found)
            compactIfWorthIt()
        }
        return result
    }

    /// Notes a changed entry for the next snapshot. Expiry deletions are not noted: a
    /// restored entry whose expiry the restored watermark has reached reads as absent
    /// and is deleted as the watermark passes, like any.
    @inlinable
    func logChange(_ entry: Int) {
        guard changeLog != nil else { return }
        changeLog!.append(entry)
        if changeLog!.count > max(64, table.count / 2) { changeLog = nil }
    }

    /// Once removed entries outweigh live ones, drops them; entry numbers held are
    /// renumbered, and the change log stops (it may name removed entries).
    @inlinable
    func compactIfWorthIt() {
        guard table.wantsCompaction else { return }
        let renumbered = table.compacted()
        changeLog = nil
        var kept: [(expiresAt: Int64, entry: Int)] = []
        kept.reserveCapacity(expiries.count - expiryHead)
        for (expiresAt, entry) in expiries[expiryHead...] where renumbered[entry] >= 0 {
            kept.append((expiresAt, renumbered[entry]))
        }
        expiries = kept
        expiryHead = 0
    }

    /// Deletes the entries whose expiry the watermark, already moved, has reached.
    @inlinable
    func deleteExpired() {
        guard expiryHead < expiries.count, rules.hasExpired(expiries[expiryHead].expiresAt) else { return }
        while expiryHead < expiries.count, rules.hasExpired(expiries[expiryHead].expiresAt) {
            let (expiresAt, entry) = expiries[expiryHead]
            expiryHead += 1
            if let stored = table.values[entry], stored.expiresAt == expiresAt { table.remove(entry) }
        }
        compactIfWorthIt()
        if expiryHead > 4096 && expiryHead * 2 > expiries.count {
            expiries.removeFirst(expiryHead)
            expiryHead = 0
        }
    }

    var count: Int { table.count }

    func forEach(in groups: KeyGroupRange, _ body: (Key, Namespace, Value) throws -> Void) throws {
        for entry in 0 ..< table.numbered {
            guard let stored = table.values[entry], !rules.hasExpired(stored.expiresAt) else { continue }
            var reader = StateReader(table.keyBytes(of: entry) { Array($0) })
            let key = try Key.decode(from: &reader)
            guard groups.contains(KeyGroup(of: key)) else { continue }
            try body(key, try Namespace.decode(from: &reader), stored.value)
        }
    }
}
