/// One named piece of keyed state of one operator: values addressed by (key, namespace).
///
/// The key is always an argument (there is no hidden "current key"), so an operator
/// can touch the state of any key it owns, for example when a timer fires.
///
/// Entries may carry an event-time expiry (`put(_:_:_:expiringAt:)`): an entry whose
/// expiry the state's watermark has reached reads as absent, exactly, and is deleted in
/// bulk as the watermark passes (no timer per entry). The operator owning the state
/// moves its watermark (`advance(to:)`).
///
/// A concrete class rather than a protocol so that operators call it directly and the
/// compiler specializes every access for the operator's key and value types. Where the
/// entries live is its `storage`, chosen by the backend that made it.
public final class ValueState<Key: StateKey, Namespace: StateNamespace, Value: StateCodable> {
    @usableFromInline
    struct Entry: Hashable {
        @usableFromInline var key: Key
        @usableFromInline var namespace: Namespace

        @usableFromInline init(key: Key, namespace: Namespace) {
            self.key = key
            self.namespace = namespace
        }
    }

    @usableFromInline
    struct Stored {
        @usableFromInline var value: Value
        /// Event time at which the entry stops existing; `Int64.max` for never.
        @usableFromInline var expiresAt: Int64

        @usableFromInline init(value: Value, expiresAt: Int64) {
            self.value = value
            self.expiresAt = expiresAt
        }
    }

    @usableFromInline
    enum Storage {
        /// In the process's memory (the memory backend).
        case memory([Entry: Stored])
    }

    @usableFromInline var storage: Storage
    /// Entries put with an expiry, in the order they were put: the front is deleted as
    /// the watermark passes it. Out-of-order expiries behind a later one wait for it
    /// (they already read as absent).
    @usableFromInline var expiries: [(expiresAt: Int64, entry: Entry)] = []
    @usableFromInline var expiryHead = 0
    /// The watermark expiries are judged against.
    public var watermark: Watermark { _watermark }
    @usableFromInline var _watermark: Watermark = .initial
    public let operatorID: OperatorID
    public let name: String

    init(memoryFor operatorID: OperatorID, name: String) {
        self.operatorID = operatorID
        self.name = name
        storage = .memory([:])
    }

    /// `Int64.max` is "never", even at the end of input's watermark.
    @inlinable
    func hasExpired(_ expiresAt: Int64) -> Bool {
        expiresAt != .max && watermark.hasReached(expiresAt)
    }

    @inlinable
    public func get(_ key: Key, _ namespace: Namespace) throws -> Value? {
        switch storage {
        case .memory(let entries):
            guard let stored = entries[Entry(key: key, namespace: namespace)],
                  !hasExpired(stored.expiresAt) else { return nil }
            return stored.value
        }
    }

    @inlinable
    public func put(_ key: Key, _ namespace: Namespace, _ value: Value) throws {
        try update(key, namespace) { $0 = value }
    }

    /// Puts an entry that exists until the watermark reaches `expiresAt`.
    @inlinable
    public func put(_ key: Key, _ namespace: Namespace, _ value: Value, expiringAt expiresAt: Int64) throws {
        let entry = Entry(key: key, namespace: namespace)
        switch storage {
        case .memory(var entries):
            storage = .memory([:])  // keep `entries` uniquely referenced while it changes
            entries[entry] = Stored(value: value, expiresAt: expiresAt)
            storage = .memory(entries)
        }
        expiries.append((expiresAt, entry))
    }

    @inlinable
    public func remove(_ key: Key, _ namespace: Namespace) throws {
        try update(key, namespace) { $0 = nil }
    }

    /// Reads, changes and writes back one entry in one step (`nil` = absent; setting
    /// `nil` removes it), with a single lookup. A changed entry keeps its expiry.
    @inlinable
    public func update<R>(_ key: Key, _ namespace: Namespace, _ body: (inout Value?) throws -> R) throws -> R {
        switch storage {
        case .memory(var entries):
            storage = .memory([:])
            defer { storage = .memory(entries) }
            let entry = Entry(key: key, namespace: namespace)
            let stored = entries[entry]
            let live = stored.flatMap { hasExpired($0.expiresAt) ? nil : $0 }
            var value = live?.value
            let result = try body(&value)
            if let value {
                entries[entry] = Stored(value: value, expiresAt: live?.expiresAt ?? .max)
            } else if stored != nil {
                entries[entry] = nil
            }
            return result
        }
    }

    /// Moves the state's watermark and deletes the entries that expired.
    @inlinable
    public func advance(to watermark: Watermark) {
        guard watermark > self.watermark else { return }
        _watermark = watermark
        // At the end of input every entry with an expiry reads as absent already;
        // deleting them one by one would only delay the end of the run.
        if watermark == .end { return }
        guard expiryHead < expiries.count, hasExpired(expiries[expiryHead].expiresAt) else { return }
        switch storage {
        case .memory(var entries):
            storage = .memory([:])
            while expiryHead < expiries.count, hasExpired(expiries[expiryHead].expiresAt) {
                let (expiresAt, entry) = expiries[expiryHead]
                expiryHead += 1
                if let stored = entries[entry], stored.expiresAt == expiresAt { entries[entry] = nil }
            }
            storage = .memory(entries)
        }
        if expiryHead > 4096 && expiryHead * 2 > expiries.count {
            expiries.removeFirst(expiryHead)
            expiryHead = 0
        }
    }

    /// Number of entries held, expired ones not yet deleted included.
    public var count: Int {
        switch storage {
        case .memory(let entries): entries.count
        }
    }

    /// Every live entry whose key falls in `groups`.
    public func forEach(in groups: KeyGroupRange, _ body: (Key, Namespace, Value) throws -> Void) throws {
        switch storage {
        case .memory(let entries):
            for (entry, stored) in entries where !hasExpired(stored.expiresAt) && groups.contains(KeyGroup(of: entry.key)) {
                try body(entry.key, entry.namespace, stored.value)
            }
        }
    }
}

/// What an operator holds of its states to move their watermark.
public protocol WatermarkedState: AnyObject {
    func advance(to watermark: Watermark)
}

extension ValueState: WatermarkedState {}
