/// The JetStream API's documents that Tillflow uses, as JSON (durations in nanoseconds).

/// A stream's configuration (the fields Tillflow sets; the server fills in the rest).
public struct StreamConfig: Codable, Sendable, Equatable {
    public var name: String
    public var subjects: [String]?
    /// `file` or `memory`.
    public var storage: String = "file"
    /// `limits`, `interest` or `workqueue`.
    public var retention: String = "limits"
    public var maxMsgs: Int64 = -1
    public var maxBytes: Int64 = -1
    /// Nanoseconds; 0 keeps messages for ever.
    public var maxAge: Int64 = 0
    /// Nanoseconds within which a repeated `Nats-Msg-Id` is not stored again.
    public var duplicateWindow: Int64?
    public var numReplicas: Int = 1
    /// Lets `directGetLast` read without a consumer.
    public var allowDirect: Bool?
    /// Messages kept per subject (a key-value bucket's history); nil: no limit.
    public var maxMsgsPerSubject: Int64?
    /// `old` or `new`: what goes when a limit is reached.
    public var discard: String?
    public var allowRollup: Bool?
    public var denyDelete: Bool?
    /// Takes a per-message time to live (`Nats-TTL`): a lease's expiry.
    public var allowMsgTTL: Bool?
    /// Nanoseconds a marker stays after a message expires, showing watchers the expiry.
    public var subjectDeleteMarkerTTL: Int64?

    public init(name: String, subjects: [String]?) {
        self.name = name
        self.subjects = subjects
    }

    enum CodingKeys: String, CodingKey {
        case name, subjects, storage, retention, maxMsgs = "max_msgs", maxBytes = "max_bytes", maxAge = "max_age"
        case duplicateWindow = "duplicate_window", numReplicas = "num_replicas", allowDirect = "allow_direct"
        case maxMsgsPerSubject = "max_msgs_per_subject", discard, allowRollup = "allow_rollup_hdrs", denyDelete = "deny_delete"
        case allowMsgTTL = "allow_msg_ttl", subjectDeleteMarkerTTL = "subject_delete_marker_ttl"
    }
}

public struct StreamState: Codable, Sendable, Equatable {
    public var messages: UInt64
    public var bytes: UInt64
    public var firstSeq: UInt64
    public var lastSeq: UInt64
    /// Messages by subject, when asked for with a filter (`streamInfo(_:subjects:)`).
    public var subjects: [String: UInt64]?

    enum CodingKeys: String, CodingKey {
        case messages, bytes, firstSeq = "first_seq", lastSeq = "last_seq", subjects
    }
}

public struct StreamInfo: Decodable, Sendable {
    public var config: StreamConfig
    public var state: StreamState
    /// The streams this one sources, and how far behind each is.
    public var sources: [StreamSourceInfo]?
}

/// A stream a stream sources from, as its info reports it.
public struct StreamSourceInfo: Decodable, Sendable {
    public struct External: Decodable, Sendable {
        public var api: String
    }

    public var name: String
    /// Another JetStream domain's API (`$JS.<domain>.API`), for a source there.
    public var external: External?
    /// Messages of the source not yet copied.
    public var lag: UInt64
    /// Nanoseconds since the source was last heard from; -1 never.
    public var active: Int64
}

/// What JetStream answers a publish with: where the message is stored.
public struct PubAck: Decodable, Sendable, Equatable {
    public var stream: String
    public var seq: UInt64
    /// The message's `Nats-Msg-Id` was seen within the duplicate window: not stored again.
    public var duplicate: Bool?
    public var domain: String?
}

/// A JetStream API error: `code` is HTTP-like, `errCode` JetStream's own (10059: stream
/// not found, 10014: consumer not found, 10071: wrong last sequence).
public struct JetStreamAPIError: Error, Decodable, Sendable, Equatable, CustomStringConvertible {
    public var code: Int
    public var errCode: Int?
    public var errorDescription: String?

    enum CodingKeys: String, CodingKey {
        case code, errCode = "err_code", errorDescription = "description"
    }

    public var description: String { "JetStream error \(code)\(errCode.map { "/\($0)" } ?? ""): \(errorDescription ?? "")" }

    public static let streamNotFound = 10059
    public static let consumerNotFound = 10014
    public static let wrongLastSequence = 10071
}

/// A consumer's configuration: the fields an ordered reader from a start sequence needs.
public struct ConsumerConfig: Codable, Sendable, Equatable {
    public var name: String?
    /// `all`, `last`, `new`, `by_start_sequence`.
    public var deliverPolicy: String = "all"
    public var optStartSeq: UInt64?
    /// `none`, `all`, `explicit`.
    public var ackPolicy: String = "none"
    public var filterSubject: String?
    public var filterSubjects: [String]?
    /// Nanoseconds after which an unused ephemeral consumer is removed.
    public var inactiveThreshold: Int64?
    public var memStorage: Bool?
    public var numReplicas: Int?
    public var maxWaiting: Int?

    public init() {}

    enum CodingKeys: String, CodingKey {
        case name, deliverPolicy = "deliver_policy", optStartSeq = "opt_start_seq", ackPolicy = "ack_policy"
        case filterSubject = "filter_subject", filterSubjects = "filter_subjects", inactiveThreshold = "inactive_threshold"
        case memStorage = "mem_storage", numReplicas = "num_replicas", maxWaiting = "max_waiting"
    }
}

public struct ConsumerInfo: Decodable, Sendable {
    public var name: String
    public var streamName: String
    public var numPending: UInt64?

    enum CodingKeys: String, CodingKey {
        case name, streamName = "stream_name", numPending = "num_pending"
    }
}
