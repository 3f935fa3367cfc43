import Foundation

/// A JetStream key-value bucket, laid out as NATS's own clients lay it out (stream
/// `KV_<bucket>`, a key's value the last message on `$KV.<bucket>.<key>`), so that the
/// `nats kv` tools read what Tillflow writes: jobs, checkpoint manifests and partition
/// leases.
///
/// A key's revision is the stream sequence of its last message; `update` writes only
/// if the key is still at the revision given (compare-and-set), which is what makes a
/// lease owned by one worker at a time. A value may live only for a time (`ttl`, in
/// whole seconds, on a bucket made with `allowsTTL`): the server removes it when no
/// write renews it, as a lease lapses when its worker dies.
public struct KeyValueBucket: Sendable {
    public let js: JetStream
    public let name: String

    public var streamName: String { "KV_" + name }

    /// The bucket `name`, created when missing: one value per key, file storage, direct
    /// gets, and per-value times to live when `allowsTTL`. An existing bucket is left as
    /// it is.
    public static func open(_ js: JetStream, name: String, allowsTTL: Bool = false) async throws -> KeyValueBucket {
        var config = StreamConfig(name: "KV_" + name, subjects: ["$KV.\(name).>"])
        config.maxMsgsPerSubject = 1
        config.discard = "new"
        config.allowRollup = true
        config.denyDelete = true
        config.allowDirect = true
        config.duplicateWindow = 120_000_000_000
        if allowsTTL {
            config.allowMsgTTL = true
            config.subjectDeleteMarkerTTL = 60_000_000_000
        }
        _ = try await js.ensureStream(config)
        return KeyValueBucket(js: js, name: name)
    }

    public init(js: JetStream, name: String) {
        self.js = js
        self.name = name
    }

    func subject(_ key: String) -> String { "$KV.\(name).\(key)" }

    /// The key's last entry: nil when it was never written, or an entry with
    /// `isDeleted` when deleted or expired (its revision is what `create` sets over).
    public func entry(_ key: String) async throws -> KeyValueEntry? {
        guard let message = try await js.directGetLast(stream: streamName, subject: subject(key)) else { return nil }
        guard let revision = message.headers?["Nats-Sequence"].flatMap(UInt64.init) else {
            throw NATSError.protocolViolation("a direct get of \(subject(key)) without Nats-Sequence")
        }
        let operation = message.headers?["KV-Operation"]
        let deleted = operation == "DEL" || operation == "PURGE" || message.headers?["Nats-Marker-Reason"] != nil
        return KeyValueEntry(key: key, value: deleted ? [] : message.payload, revision: revision, isDeleted: deleted)
    }

    /// The key's value, nil when it has none (never written, deleted or expired).
    public func get(_ key: String) async throws -> KeyValueEntry? {
        guard let found = try await entry(key), !found.isDeleted else { return nil }
        return found
    }

    /// Writes the value whatever the key holds; returns its revision.
    @discardableResult
    public func put(_ key: String, _ value: [UInt8]) async throws -> UInt64 {
        try await write(key, value, headers: NATSHeaders())
    }

    /// Writes the value only if the key has none; returns its revision, or throws
    /// `KeyValueError.exists`.
    @discardableResult
    public func create(_ key: String, _ value: [UInt8], ttl: Duration? = nil) async throws -> UInt64 {
        do {
            return try await write(key, value, expecting: 0, ttl: ttl)
        } catch KeyValueError.wrongRevision {
            // A deleted or expired key keeps a marker: set over it, if it still is one.
            guard let last = try await entry(key), last.isDeleted else { throw KeyValueError.exists(key: key) }
            do {
                return try await write(key, value, expecting: last.revision, ttl: ttl)
            } catch KeyValueError.wrongRevision {
                throw KeyValueError.exists(key: key)
            }
        }
    }

    /// Writes the value only if the key is still at `revision` (compare-and-set);
    /// returns the new revision, or throws `KeyValueError.wrongRevision`.
    @discardableResult
    public func update(_ key: String, _ value: [UInt8], revision: UInt64, ttl: Duration? = nil) async throws -> UInt64 {
        try await write(key, value, expecting: revision, ttl: ttl)
    }

    /// Deletes the key's value (at `revision` only, when given).
    public func delete(_ key: String, revision: UInt64? = nil) async throws {
        var headers = NATSHeaders()
        headers.append("KV-Operation", "DEL")
        if let revision { headers.append("Nats-Expected-Last-Subject-Sequence", String(revision)) }
        _ = try await write(key, [], headers: headers)
    }

    /// The keys that have a value, sorted.
    public func keys() async throws -> [String] {
        let info = try await js.streamInfo(streamName, subjects: "$KV.\(name).>")
        let prefix = "$KV.\(name)."
        var keys: [String] = []
        for subject in (info.state.subjects ?? [:]).keys.sorted() {
            let key = String(subject.dropFirst(prefix.count))
            if try await get(key) != nil { keys.append(key) }
        }
        return keys
    }

    private func write(_ key: String, _ value: [UInt8], expecting revision: UInt64, ttl: Duration?) async throws -> UInt64 {
        var headers = NATSHeaders()
        headers.append("Nats-Expected-Last-Subject-Sequence", String(revision))
        if let ttl { headers.append("Nats-TTL", Self.ttlText(ttl)) }
        return try await write(key, value, headers: headers)
    }

    private func write(_ key: String, _ value: [UInt8], headers: NATSHeaders) async throws -> UInt64 {
        do {
            return try await js.publish(subject(key), headers: headers, payload: value).seq
        } catch let error as JetStreamAPIError where error.errCode == JetStreamAPIError.wrongLastSequence {
            throw KeyValueError.wrongRevision(key: key)
        }
    }

    /// `Nats-TTL` in whole seconds (the server takes `3s`, not `500ms`), at least one.
    public static func ttlText(_ ttl: Duration) -> String {
        let seconds = ttl.components.seconds + (ttl.components.attoseconds > 0 ? 1 : 0)
        return "\(max(1, seconds))s"
    }
}

/// A key's last entry in a bucket.
public struct KeyValueEntry: Sendable, Equatable {
    public let key: String
    public let value: [UInt8]
    /// The stream sequence of the entry: what a compare-and-set names.
    public let revision: UInt64
    /// Deleted, or expired (its time to live ran out).
    public let isDeleted: Bool
}

public enum KeyValueError: Error, Equatable, CustomStringConvertible {
    /// `create` of a key that has a value.
    case exists(key: String)
    /// `update` (or a delete) of a key that is not at the revision given.
    case wrongRevision(key: String)

    public var description: String {
        switch self {
        case let .exists(key): "the key \(key) has a value"
        case let .wrongRevision(key): "the key \(key) was written since the revision given"
        }
    }
}
