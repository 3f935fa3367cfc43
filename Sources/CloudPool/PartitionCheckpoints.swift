import Foundation
import NATS

/// Where a cloud job's partitions keep their checkpoints, so that any worker restores
/// any partition: the archived state in the `TILLFLOW_STATE` object store
/// (`<job>/<partition>/<n>`), and a record per partition in the `TILLFLOW_CHECKPOINTS`
/// bucket (`<job>.<partition>`) naming the newest object and the one before it.
///
/// What holds: a record names only objects that were stored whole before it was
/// written; the one before the newest stays until a newer one is recorded, so a
/// newest object found corrupt or missing falls back to it.
public struct PartitionCheckpoints: Sendable {
    public let records: KeyValueBucket
    public let objects: ObjectStoreBucket

    public static func open(_ js: JetStream) async throws -> PartitionCheckpoints {
        PartitionCheckpoints(records: try await KeyValueBucket.open(js, name: "TILLFLOW_CHECKPOINTS"),
                             objects: try await ObjectStoreBucket.open(js, name: "TILLFLOW_STATE"))
    }

    public init(records: KeyValueBucket, objects: ObjectStoreBucket) {
        self.records = records
        self.objects = objects
    }

    /// A part of a job: a partition's number, or `global` for its global rollups.
    static func key(job: String, part: String) -> String { "\(job).\(part)" }

    public func record(job: String, part: String) async throws -> PartitionCheckpointRecord? {
        guard let entry = try await records.get(Self.key(job: job, part: part)) else { return nil }
        return try JSONDecoder().decode(PartitionCheckpointRecord.self, from: Data(entry.value))
    }

    /// Stores a partition's checkpoint (`archive` of its locations' state, every line
    /// below `sequence` taken), then records it; the object before the previous one goes.
    @discardableResult
    public func save(job: String, part: String, sequence: Int64, archive: [UInt8], locations: Int,
                     watermarks: ClosedRange<Int64>?, outputsThrough: Int64? = nil,
                     takenAtMs: Int64) async throws -> PartitionCheckpointRecord {
        let previous = try await record(job: job, part: part)
        let number = (previous?.number ?? 0) + 1
        let object = "\(job)/\(part)/\(number)"
        let began = ContinuousClock.now
        try await objects.put(object, archive)
        let upload = (ContinuousClock.now - began).components
        let record = PartitionCheckpointRecord(
            number: number, sequence: sequence, object: object, previous: previous.map { [$0.object] } ?? [],
            previousSequences: previous.map { [$0.sequence] } ?? [], bytes: archive.count, locations: locations,
            lowWatermark: watermarks?.lowerBound ?? previous?.lowWatermark,
            highWatermark: watermarks?.upperBound ?? previous?.highWatermark, outputsThrough: outputsThrough,
            uploadMs: upload.seconds * 1_000 + upload.attoseconds / 1_000_000_000_000_000, takenAtMs: takenAtMs)
        try await records.put(Self.key(job: job, part: part), Array(try JSONEncoder().encode(record)))
        if let gone = previous?.previous.first { try? await objects.delete(gone) }
        return record
    }

    /// The partition's newest checkpoint that reads whole, with its sequence: the
    /// newest object, or (logged through `warn`) the one before it. Nil when the
    /// partition was never checkpointed; an error when it was and nothing reads.
    public func restore(job: String, part: String, warn: (String) -> Void) async throws -> (archive: [UInt8], sequence: Int64)? {
        guard let record = try await record(job: job, part: part) else { return nil }
        var failures: [String] = []
        for (object, sequence) in zip([record.object] + record.previous, [record.sequence] + record.previousSequences) {
            do {
                if let bytes = try await objects.get(object) { return (bytes, sequence) }
                failures.append("\(object) is missing")
            } catch {
                failures.append("\(error)")
            }
            warn("part \(part) of \(job): checkpoint \(object) cannot be read (\(failures.last!)); trying the one before")
        }
        throw PartitionCheckpointError(
            "part \(part) of \(job) was checkpointed, but no checkpoint of it reads (\(failures.joined(separator: "; "))); "
                + "it is not started from scratch")
    }
}

/// A partition's checkpoint record, in the `TILLFLOW_CHECKPOINTS` bucket.
public struct PartitionCheckpointRecord: Codable, Sendable, Equatable {
    public var number: Int
    /// Every line of the partition below this `TILLFLOW_IN` sequence is in the state.
    public var sequence: Int64
    public var object: String
    /// The object before `object`, kept as a fall-back (none for the first).
    public var previous: [String]
    public var previousSequences: [Int64]
    public var bytes: Int
    public var locations: Int
    public var lowWatermark: Int64?
    public var highWatermark: Int64?
    /// `TILLFLOW_OUT`'s last sequence once every row of the checkpoint was stored: what
    /// made at these watermarks lies at or before it (the global rollups rely on that).
    public var outputsThrough: Int64?
    /// How long putting the object took.
    public var uploadMs: Int64?
    public var takenAtMs: Int64

    enum CodingKeys: String, CodingKey {
        case number, sequence, object, previous, previousSequences = "previous_sequences", bytes, locations
        case lowWatermark = "low_watermark", highWatermark = "high_watermark", outputsThrough = "outputs_through", uploadMs = "upload_ms"
        case takenAtMs = "taken_at_ms"
    }
}

public struct PartitionCheckpointError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
