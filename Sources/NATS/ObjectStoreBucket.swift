import Crypto
import Foundation

/// A JetStream object store bucket, laid out as NATS's own clients lay it out (stream
/// `OBJ_<bucket>`; an object's chunks on `$O.<bucket>.C.<nuid>`, its description on
/// `$O.<bucket>.M.<name in base64url>`, SHA-256 digest), so that `nats object` reads
/// what Tillflow writes: a partition's checkpointed state, which any worker restores.
///
/// What holds: `get` returns exactly the bytes `put` stored, or throws
/// `ObjectStoreError.corrupt` (a chunk missing, a size or digest that differs); a `put`
/// cut short leaves the object as it was, since its description is written last and
/// the chunks of the old version are purged only after it.
public struct ObjectStoreBucket: Sendable {
    public let js: JetStream
    public let name: String
    /// Bytes per chunk message (NATS's clients use 128 KiB).
    public static let chunkSize = 128 * 1024

    public var streamName: String { "OBJ_" + name }

    /// The bucket `name`, created when missing; an existing bucket is left as it is.
    public static func open(_ js: JetStream, name: String) async throws -> ObjectStoreBucket {
        var config = StreamConfig(name: "OBJ_" + name, subjects: ["$O.\(name).C.>", "$O.\(name).M.>"])
        config.discard = "new"
        config.allowRollup = true
        config.allowDirect = true
        _ = try await js.ensureStream(config)
        return ObjectStoreBucket(js: js, name: name)
    }

    public init(js: JetStream, name: String) {
        self.js = js
        self.name = name
    }

    func metaSubject(_ object: String) -> String { "$O.\(name).M.\(Self.base64URL(Array(object.utf8)))" }
    func chunkSubject(_ nuid: String) -> String { "$O.\(name).C.\(nuid)" }

    /// Stores `bytes` as object `object`, replacing what it held; returns its description.
    @discardableResult
    public func put(_ object: String, _ bytes: [UInt8]) async throws -> ObjectInfo {
        let previous = try await info(object)
        let nuid = UUID().uuidString.replacingOccurrences(of: "-", with: "")
        var chunks: [NATSRequest] = []
        var start = 0
        while start < bytes.count {
            let end = min(start + Self.chunkSize, bytes.count)
            chunks.append(NATSRequest(chunkSubject(nuid), payload: Array(bytes[start ..< end])))
            start = end
        }
        // A few chunks in flight at a time: a state of hundreds of MiB need not be queued whole.
        var sent = 0
        while sent < chunks.count {
            let round = Array(chunks[sent ..< min(sent + 32, chunks.count)])
            _ = try await js.publish(round)
            sent += round.count
        }
        let info = ObjectInfo(name: object, bucket: name, nuid: nuid, size: bytes.count, chunks: chunks.count,
                              digest: "SHA-256=" + Self.base64URL(Array(SHA256.hash(data: bytes))),
                              mtime: ISO8601DateFormatter().string(from: Date()))
        var headers = NATSHeaders()
        headers.append("Nats-Rollup", "sub")
        _ = try await js.publish(metaSubject(object), headers: headers, payload: Array(try JSONEncoder().encode(info)))
        if let previous, previous.nuid != nuid { try await purge(chunkSubject(previous.nuid)) }
        return info
    }

    /// The object's description, nil when there is none (or it was deleted).
    public func info(_ object: String) async throws -> ObjectInfo? {
        guard let message = try await js.directGetLast(stream: streamName, subject: metaSubject(object)) else { return nil }
        let info: ObjectInfo
        do {
            info = try JSONDecoder().decode(ObjectInfo.self, from: Data(message.payload))
        } catch {
            throw ObjectStoreError.corrupt(object: object, why: "its description does not decode: \(error)")
        }
        return info.deleted == true ? nil : info
    }

    /// The object's bytes, nil when there is none; `ObjectStoreError.corrupt` when what
    /// is stored is not what was put.
    public func get(_ object: String) async throws -> [UInt8]? {
        guard let info = try await info(object) else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(info.size)
        var sequence: UInt64 = 1
        for n in 0 ..< info.chunks {
            guard let chunk = try await js.directGetNext(stream: streamName, subject: chunkSubject(info.nuid), from: sequence),
                  let stored = chunk.headers?["Nats-Sequence"].flatMap(UInt64.init) else {
                throw ObjectStoreError.corrupt(object: object, why: "chunk \(n + 1) of \(info.chunks) is missing")
            }
            bytes += chunk.payload
            sequence = stored + 1
        }
        guard bytes.count == info.size else {
            throw ObjectStoreError.corrupt(object: object, why: "\(bytes.count) bytes stored, \(info.size) put")
        }
        guard "SHA-256=" + Self.base64URL(Array(SHA256.hash(data: bytes))) == info.digest else {
            throw ObjectStoreError.corrupt(object: object, why: "its digest differs from the one put")
        }
        return bytes
    }

    /// Deletes the object: its description says so and its chunks are purged.
    public func delete(_ object: String) async throws {
        guard var info = try await info(object) else { return }
        info.deleted = true
        info.size = 0
        info.chunks = 0
        var headers = NATSHeaders()
        headers.append("Nats-Rollup", "sub")
        _ = try await js.publish(metaSubject(object), headers: headers, payload: Array(try JSONEncoder().encode(info)))
        try await purge(chunkSubject(info.nuid))
    }

    /// The names of the objects held, sorted.
    public func list() async throws -> [String] {
        let stream = try await js.streamInfo(streamName, subjects: "$O.\(name).M.>")
        var names: [String] = []
        for subject in (stream.state.subjects ?? [:]).keys {
            let encoded = subject.split(separator: ".").last.map(String.init) ?? ""
            guard let decoded = Self.fromBase64URL(encoded), let object = String(bytes: decoded, encoding: .utf8) else { continue }
            if try await info(object) != nil { names.append(object) }
        }
        return names.sorted()
    }

    private func purge(_ subject: String) async throws {
        struct Purged: Decodable { var success: Bool }
        _ = try await js.call("STREAM.PURGE.\(streamName)", ["filter": subject], as: Purged.self)
    }

    /// Base64 with the URL alphabet and padding, as NATS's clients encode names and digests.
    static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
    }

    static func fromBase64URL(_ text: String) -> [UInt8]? {
        Data(base64Encoded: text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")).map(Array.init)
    }
}

/// An object's description, as NATS's clients write it.
public struct ObjectInfo: Codable, Sendable, Equatable {
    public var name: String
    public var bucket: String
    public var nuid: String
    public var size: Int
    public var chunks: Int
    public var digest: String
    public var mtime: String
    public var deleted: Bool?
}

public enum ObjectStoreError: Error, Equatable, CustomStringConvertible {
    case corrupt(object: String, why: String)

    public var description: String {
        switch self {
        case let .corrupt(object, why): "the stored object \(object) is corrupt: \(why)"
        }
    }
}
