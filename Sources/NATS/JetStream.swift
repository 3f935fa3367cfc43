import Foundation

/// The JetStream API over a connection: streams, publishing with acknowledgement,
/// consumers, and direct reads. Every call is a request to `$JS.API` (or, for a
/// JetStream domain, `$JS.<domain>.API`: a store's leaf node seen from the hub).
public struct JetStream: Sendable {
    public let connection: NATSConnection
    public let apiPrefix: String
    public var timeout: Duration
    /// How many servers keep each stream and bucket this client creates (3 on a hub
    /// cluster, for Raft): a missing one is created with them, an existing one with
    /// fewer is raised to them, one with more is left as it is.
    public var replicas = 1

    public init(_ connection: NATSConnection, domain: String? = nil, timeout: Duration = .seconds(5), replicas: Int = 1) {
        self.connection = connection
        self.replicas = replicas
        apiPrefix = domain.map { "$JS.\($0).API" } ?? "$JS.API"
        self.timeout = timeout
    }

    /// Sends an API request and decodes its answer, or throws the API's error.
    func call<Answer: Decodable>(_ operation: String, _ body: some Encodable, as: Answer.Type) async throws -> Answer {
        let payload = try JSONEncoder().encode(body)
        let reply = try await connection.request(apiPrefix + "." + operation, payload: Array(payload), timeout: timeout)
        return try Self.decode(Answer.self, from: reply.payload, operation: operation)
    }

    static func decode<Answer: Decodable>(_ type: Answer.Type, from payload: [UInt8], operation: String) throws -> Answer {
        let data = Data(payload)
        if let envelope = try? JSONDecoder().decode(APIErrorEnvelope.self, from: data), let error = envelope.error { throw error }
        do {
            return try JSONDecoder().decode(Answer.self, from: data)
        } catch {
            throw NATSError.protocolViolation("JetStream's answer to \(operation) does not decode: \(error)")
        }
    }

    // MARK: - Streams

    public func createStream(_ config: StreamConfig) async throws -> StreamInfo {
        try await call("STREAM.CREATE.\(config.name)", config, as: StreamInfo.self)
    }

    /// The stream's configuration and state; with `subjects`, a filter, its state also
    /// counts the messages on each subject that matches.
    public func streamInfo(_ name: String, subjects: String? = nil) async throws -> StreamInfo {
        try await call("STREAM.INFO.\(name)", subjects.map { ["subjects_filter": $0] } ?? [:], as: StreamInfo.self)
    }

    /// The stream named in `config`, created with it (and `replicas`) when missing; an
    /// existing stream is left as it is but for its replicas, raised to `replicas`.
    public func ensureStream(_ config: StreamConfig) async throws -> StreamInfo {
        var config = config
        config.numReplicas = max(config.numReplicas, replicas)
        let info: StreamInfo
        do {
            info = try await streamInfo(config.name)
        } catch let error as JetStreamAPIError where error.errCode == JetStreamAPIError.streamNotFound {
            do {
                return try await createStream(config)
            } catch let error as JetStreamAPIError where error.errCode == 10058 {  // created meanwhile by another
                info = try await streamInfo(config.name)
            }
        }
        guard info.config.numReplicas < config.numReplicas else { return info }
        return try await changeConfig(of: config.name) { $0["num_replicas"] = config.numReplicas }
    }

    /// The stream's sources: each a JSON object as the API takes it (`name`, and
    /// `external` with `api` and `deliver` for another domain's stream).
    public func sources(of stream: String) async throws -> [[String: Any]] {
        let config = try await rawConfig(of: stream)
        return config["sources"] as? [[String: Any]] ?? []
    }

    /// Sets the stream's sources, leaving the rest of its configuration as it is.
    public func setSources(of stream: String, _ sources: [[String: Any]]) async throws {
        _ = try await changeConfig(of: stream) { $0["sources"] = sources }
    }

    /// Updates the stream with `change` made to its whole configuration as the server
    /// holds it (fields this client does not know go back as they came).
    private func changeConfig(of stream: String, _ change: (inout [String: Any]) -> Void) async throws -> StreamInfo {
        var config = try await rawConfig(of: stream)
        change(&config)
        let body = try JSONSerialization.data(withJSONObject: config)
        let reply = try await connection.request(apiPrefix + ".STREAM.UPDATE." + stream, payload: Array(body), timeout: timeout)
        return try Self.decode(StreamInfo.self, from: reply.payload, operation: "STREAM.UPDATE.\(stream)")
    }

    private func rawConfig(of stream: String) async throws -> [String: Any] {
        let reply = try await connection.request(apiPrefix + ".STREAM.INFO." + stream, payload: Array("{}".utf8), timeout: timeout)
        _ = try Self.decode(StreamInfo.self, from: reply.payload, operation: "STREAM.INFO.\(stream)")
        guard let info = try JSONSerialization.jsonObject(with: Data(reply.payload)) as? [String: Any],
              let config = info["config"] as? [String: Any] else {
            throw NATSError.protocolViolation("STREAM.INFO.\(stream) without a configuration")
        }
        return config
    }

    public func deleteStream(_ name: String) async throws {
        struct Deleted: Decodable { var success: Bool }
        _ = try await call("STREAM.DELETE.\(name)", [String: String](), as: Deleted.self)
    }

    // MARK: - Publishing

    /// Publishes and waits until JetStream has stored the message (or found it a
    /// duplicate of `Nats-Msg-Id` within the stream's window: `duplicate` is set).
    public func publish(_ subject: String, headers: NATSHeaders? = nil, payload: some Collection<UInt8>) async throws -> PubAck {
        let reply = try await connection.request(subject, headers: headers, payload: payload, timeout: timeout)
        if let status = reply.status, status >= 400 {
            throw JetStreamAPIError(code: status, errCode: nil, errorDescription: reply.headers?.statusDescription)
        }
        return try Self.acknowledgement(reply.payload, of: subject)
    }

    /// Publishes messages in their order without waiting for each one's answer, then
    /// returns every acknowledgement in that order: stored in order, in one round trip.
    /// A message JetStream refused throws (the first such refusal), once all answered.
    public func publish(_ messages: [NATSRequest]) async throws -> [PubAck] {
        let replies = try await connection.requests(messages, timeout: timeout)
        return try zip(messages, replies).map { message, reply in
            if let status = reply.status, status >= 400 {
                throw JetStreamAPIError(code: status, errCode: nil, errorDescription: reply.headers?.statusDescription)
            }
            return try Self.acknowledgement(reply.payload, of: message.subject)
        }
    }

    /// Reads JetStream's answer to a publish on `subject`: where the message is stored,
    /// or the API's error (for publishes whose answers come on a subscription of one's own).
    public static func acknowledgement(_ payload: [UInt8], of subject: String) throws -> PubAck {
        try decode(PubAck.self, from: payload, operation: "publish to \(subject)")
    }

    /// Throws unless JetStream's answer to a publish says the message is stored (or was a
    /// duplicate): what a publisher that needs no sequence asks, once per message. An
    /// answer that starts `{"stream":"` and names no `"error"` is one; anything else is
    /// decoded in full, for its error.
    public static func expectStored(_ payload: [UInt8], of subject: String) throws {
        let opening: StaticString = #"{"stream":""#
        let stored = payload.count > opening.utf8CodeUnitCount
            && opening.withUTF8Buffer { payload.starts(with: $0) }
            && !payload.withUnsafeBufferPointer { Self.containsErrorKey($0) }
        if !stored { _ = try acknowledgement(payload, of: subject) }
    }

    /// Whether `"error"` occurs in the bytes.
    static func containsErrorKey(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let key: [UInt8] = Array(#""error""#.utf8)
        guard bytes.count >= key.count else { return false }
        for i in 0 ... bytes.count - key.count where bytes[i] == 0x22 && bytes[i + 1] == 0x65 {
            if (0 ..< key.count).allSatisfy({ bytes[i + $0] == key[$0] }) { return true }
        }
        return false
    }

    // MARK: - Reading

    /// The last message stored on `subject` (a stream with `allow_direct`), or `nil`
    /// when the stream holds none on it. Its headers include `Nats-Sequence`.
    public func directGetLast(stream: String, subject: String) async throws -> NATSMessage? {
        try await directGet(stream: stream, JSONEncoder().encode(["last_by_subj": subject]))
    }

    /// The first message stored on `subject` at or after stream sequence `sequence`, or
    /// `nil` when there is none. Its headers include `Nats-Sequence`, from which to go on.
    public func directGetNext(stream: String, subject: String, from sequence: UInt64) async throws -> NATSMessage? {
        struct Request: Encodable {
            var seq: UInt64
            var next_by_subj: String
        }
        return try await directGet(stream: stream, JSONEncoder().encode(Request(seq: sequence, next_by_subj: subject)))
    }

    private func directGet(stream: String, _ body: Data) async throws -> NATSMessage? {
        let reply = try await connection.request("\(apiPrefix).DIRECT.GET.\(stream)", payload: Array(body), timeout: timeout)
        switch reply.status {
        case nil: return reply
        case 404: return nil
        case let status?: throw JetStreamAPIError(code: status, errCode: nil, errorDescription: reply.headers?.statusDescription)
        }
    }

    /// Creates a consumer on `stream` (ephemeral when `name` is nil).
    public func createConsumer(stream: String, name: String? = nil, config: ConsumerConfig) async throws -> ConsumerInfo {
        struct Request: Encodable {
            var streamName: String
            var config: ConsumerConfig
            enum CodingKeys: String, CodingKey { case streamName = "stream_name", config }
        }
        var config = config
        config.name = name
        let operation = name.map { "CONSUMER.CREATE.\(stream).\($0)" } ?? "CONSUMER.CREATE.\(stream)"
        return try await call(operation, Request(streamName: stream, config: config), as: ConsumerInfo.self)
    }

    public func deleteConsumer(stream: String, name: String) async throws {
        struct Deleted: Decodable { var success: Bool }
        _ = try await call("CONSUMER.DELETE.\(stream).\(name)", [String: String](), as: Deleted.self)
    }
}

/// Any API answer that may carry an `error`.
struct APIErrorEnvelope: Decodable { var error: JetStreamAPIError? }
