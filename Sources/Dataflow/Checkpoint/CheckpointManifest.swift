/// What makes a checkpoint complete: where every source stood, how long every output
/// file was, each operator's own state, and which state files belong to it.
///
/// It is written last, atomically and checksummed (`ChecksummedFile`, magic `TFCK`), after
/// the state files are durable; a checkpoint directory without a readable manifest is
/// incomplete and never used.
public struct CheckpointManifest: Sendable {
    public static let magic = Array("TFCK".utf8)
    /// 2: source offsets are opaque bytes (`SourceOffset`), progress is an `InputOrder`.
    public static let version: UInt16 = 2
    public static let fileName = "checkpoint.manifest"

    public struct OutputLength: Sendable, Hashable {
        public var name: String
        public var length: Int64
        public init(name: String, length: Int64) { self.name = name; self.length = length }
    }

    public struct StateFile: Sendable, Hashable {
        public var name: String
        public var size: Int64
    }

    public var id: UInt64
    /// Wall-clock time the checkpoint was completed, epoch milliseconds (for people).
    public var createdAtMs: Int64
    /// The job and its settings, as the job describes itself: a checkpoint restores only
    /// into the job that took it.
    public var job: String
    public var backend: StateBackendKind
    /// Taken after the end of input: the run is complete, outputs final.
    public var finished: Bool
    /// Each source's offset, in the source's own encoding (`SourceOffset`).
    public var sources: [(OperatorID, [UInt8])]
    public var outputs: [OutputLength]
    public var operators: [(OperatorID, [UInt8])]
    /// The files of the state directory and their sizes, checked before a restore.
    public var stateFiles: [StateFile]
    /// How long taking the checkpoint took, in microseconds.
    public var durationMicros: Int64

    public func outputLength(_ name: String) -> Int64? { outputs.first { $0.name == name }?.length }

    public var stateBytes: Int64 { stateFiles.reduce(0) { $0 + $1.size } }

    func encode(to writer: inout StateWriter) {
        writer.write(id)
        writer.write(createdAtMs)
        writer.write(job)
        writer.write(backend.rawValue)
        writer.write(finished)
        writer.write(durationMicros)
        writer.write(UInt32(sources.count))
        for (id, offset) in sources {
            writer.write(id.name)
            writer.writeBytes(offset)
        }
        writer.write(UInt32(outputs.count))
        for output in outputs {
            writer.write(output.name)
            writer.write(output.length)
        }
        writer.write(UInt32(operators.count))
        for (id, bytes) in operators {
            writer.write(id.name)
            writer.writeBytes(bytes)
        }
        writer.write(UInt32(stateFiles.count))
        for file in stateFiles {
            writer.write(file.name)
            writer.write(file.size)
        }
    }

    static func decode(from reader: inout StateReader) throws -> CheckpointManifest {
        let id = try reader.readUInt64()
        let createdAtMs = try reader.readInt64()
        let job = try reader.readString()
        let backendName = try reader.readString()
        guard let backend = StateBackendKind(rawValue: backendName) else {
            throw CheckpointError("unknown state backend '\(backendName)'")
        }
        let finished = try reader.readBool()
        let durationMicros = try reader.readInt64()
        var sources: [(OperatorID, [UInt8])] = []
        for _ in 0 ..< (try reader.readUInt32()) {
            sources.append((OperatorID(try reader.readString()), try reader.readBytes()))
        }
        var outputs: [OutputLength] = []
        for _ in 0 ..< (try reader.readUInt32()) {
            outputs.append(OutputLength(name: try reader.readString(), length: try reader.readInt64()))
        }
        var operators: [(OperatorID, [UInt8])] = []
        for _ in 0 ..< (try reader.readUInt32()) {
            operators.append((OperatorID(try reader.readString()), try reader.readBytes()))
        }
        var stateFiles: [StateFile] = []
        for _ in 0 ..< (try reader.readUInt32()) {
            stateFiles.append(StateFile(name: try reader.readString(), size: try reader.readInt64()))
        }
        guard reader.isAtEnd else { throw CheckpointError("trailing bytes after the manifest") }
        return CheckpointManifest(id: id, createdAtMs: createdAtMs, job: job, backend: backend, finished: finished,
                                  sources: sources, outputs: outputs, operators: operators, stateFiles: stateFiles,
                                  durationMicros: durationMicros)
    }

    /// Writes the manifest into the checkpoint directory `directory`, atomically.
    func write(into directory: String) throws {
        try ChecksummedFile.write(directory + "/" + Self.fileName, magic: Self.magic, version: Self.version) { out in
            encode(to: &out.state)
        }
    }

    /// Reads and verifies the manifest of the checkpoint directory `directory`.
    public static func read(from directory: String) throws -> CheckpointManifest {
        let path = directory + "/" + fileName
        guard Directory.fileSize(path) != nil else { throw CheckpointError("incomplete (no manifest)") }
        var (reader, version) = try ChecksummedFile.read(path, magic: magic)
        guard version == Self.version else { throw CheckpointLayoutError(found: version, expected: Self.version) }
        do {
            return try decode(from: &reader)
        } catch let error as CheckpointError {
            throw error
        } catch {
            throw CheckpointError("manifest does not decode: \(error)")
        }
    }
}

/// A checkpoint written in another layout than this build's: not damaged, so no older
/// checkpoint of the same run is tried instead (they share the layout); the run is refused.
public struct CheckpointLayoutError: Error, CustomStringConvertible {
    public let found: UInt16
    public let expected: UInt16

    public var description: String {
        "written in \(found < expected ? "an older" : "a newer") layout (manifest version \(found); this build reads \(expected))"
    }
}
