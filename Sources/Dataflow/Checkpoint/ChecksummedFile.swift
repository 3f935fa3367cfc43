#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file that is either wholly there and intact or detectably not: the form of
/// checkpoint manifests and memory-state snapshots.
///
///     magic (4 bytes) | format version (UInt16) | body | body length (UInt64) | FNV-1a 64 of all before it
///
/// It is written under a temporary name, `fsync`ed and renamed into place, so a crash
/// leaves the old file or the new one, never half of one; a torn or altered file fails
/// its checksum when read.
public enum ChecksummedFile {
    /// Writes the file at `path` atomically; `body` appends to `writer.bytes`, which is
    /// written out whenever it grows past a megabyte (snapshots can be large).
    public static func write(_ path: String, magic: [UInt8], version: UInt16,
                             body: (inout ChecksummedFileWriter) throws -> Void) throws {
        precondition(magic.count == 4)
        let temporary = path + ".tmp"
        let file = try OutputFile(path: temporary)
        var writer = ChecksummedFileWriter(file: file)
        writer.state.bytes.append(contentsOf: magic)
        writer.state.write(version)
        try body(&writer)
        let bodyLength = writer.written + Int64(writer.state.bytes.count) - 6
        writer.state.write(UInt64(bodyLength))
        try writer.drain()
        var trailer = StateWriter(capacity: 8)
        trailer.write(writer.checksum)
        try file.append(trailer.bytes)
        try file.sync()
        try file.close()
        try Directory.rename(temporary, to: path)
        try Directory.sync(parent(of: path))
    }

    /// Reads and verifies the file at `path`: a reader positioned at the start of the
    /// body, and the format version. Throws `CheckpointError` naming what is wrong.
    public static func read(_ path: String, magic: [UInt8]) throws -> (reader: StateReader, version: UInt16) {
        let bytes = try readWholeFile(path)
        guard bytes.count >= 6 + 16 else { throw CheckpointError("\(path) is truncated (\(bytes.count) bytes)") }
        guard Array(bytes[0 ..< 4]) == magic else { throw CheckpointError("\(path) is not a \(String(decoding: magic, as: UTF8.self)) file") }
        var tail = StateReader(bytes, offset: bytes.count - 16)
        let bodyLength = try tail.readUInt64()
        let checksum = try tail.readUInt64()
        guard bodyLength == UInt64(bytes.count - 6 - 16) else {
            throw CheckpointError("\(path) is truncated or extended: its body should be \(bodyLength) bytes")
        }
        let actual = bytes.withUnsafeBytes { KeyHash.fnv1a(UnsafeRawBufferPointer(rebasing: $0[..<(bytes.count - 8)])) }
        guard actual == checksum else { throw CheckpointError("\(path) is corrupt (checksum mismatch)") }
        var reader = StateReader(Array(bytes[..<(bytes.count - 16)]), offset: 4)
        let version = try reader.readUInt16()
        return (reader, version)
    }

    static func readWholeFile(_ path: String) throws -> [UInt8] {
        var bytes: [UInt8] = []
        do {
            try Directory.readChunks(of: path) { bytes.append(contentsOf: $0) }
        } catch let error as OutputError {
            throw CheckpointError(error.description)
        }
        return bytes
    }

    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}

/// Appends to a checksummed file being written: encode into `state`, which is
/// checksummed and written out in large pieces.
public struct ChecksummedFileWriter {
    public var state = StateWriter(capacity: 1 << 20)
    let file: OutputFile
    var checksum = KeyHash.offsetBasis
    var written: Int64 = 0

    init(file: OutputFile) { self.file = file }

    /// Writes out what `state` holds once it is large.
    @inlinable
    public mutating func drainIfLarge() throws {
        if state.bytes.count >= 1 << 20 { try drain() }
    }

    @usableFromInline
    mutating func drain() throws {
        checksum = state.bytes.withUnsafeBytes { KeyHash.fnv1a($0, seed: checksum) }
        try file.append(state.bytes)
        written += Int64(state.bytes.count)
        state.bytes.removeAll(keepingCapacity: true)
    }
}

/// A checkpoint that cannot be written, read or used: a one-line reason.
public struct CheckpointError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
