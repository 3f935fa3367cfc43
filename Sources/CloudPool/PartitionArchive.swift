import Dataflow
import Foundation

/// A partition's checkpoint as one object: for every location, the files of its newest
/// complete checkpoint (`<location>/checkpoints/chk-<id>/...`), so that a worker on any
/// machine unpacks it into an empty directory and the locations' runs restore from it
/// as from their own. Hand-written (a length-prefixed list of files): no archive
/// library is available here, and this needs none of a tar file's metadata.
public enum PartitionArchive {
    static let magic = Array("TILLFLOW-PARTITION-1\n".utf8)

    /// The newest complete checkpoint of every location under `directory`.
    public static func pack(_ directory: String, locations: [String]) throws -> [UInt8] {
        var out = magic
        for location in locations {
            let store = CheckpointStore(directory: "\(directory)/\(location)/checkpoints")
            guard let newest = try store.usable(skipping: { _ in }).first else { continue }
            let base = "\(location)/checkpoints/\((newest.path as NSString).lastPathComponent)"
            for file in try files(under: newest.path) {
                let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: newest.path + "/" + file)))
                append(base + "/" + file, bytes, to: &out)
            }
        }
        append("", [], to: &out)  // the end: a cut archive is told from a whole one
        return out
    }

    /// Writes the archive's files under `directory` (which should be empty); returns
    /// the locations it holds.
    @discardableResult
    public static func unpack(_ bytes: [UInt8], into directory: String) throws -> [String] {
        guard bytes.starts(with: magic) else { throw ArchiveError("not a partition checkpoint") }
        var at = magic.count
        var locations: [String] = []
        func read(_ count: Int) throws -> ArraySlice<UInt8> {
            guard count >= 0, at + count <= bytes.count else { throw ArchiveError("cut short at byte \(at)") }
            defer { at += count }
            return bytes[at ..< at + count]
        }
        func integer(_ width: Int) throws -> Int {
            try read(width).reduce(0) { $0 << 8 | Int($1) }
        }
        while true {
            let path = String(decoding: try read(try integer(4)), as: UTF8.self)
            if path.isEmpty { break }
            let content = try read(try integer(8))
            guard !path.hasPrefix("/"), !path.split(separator: "/").contains("..") else {
                throw ArchiveError("a path outside the partition: \(path)")
            }
            let target = directory + "/" + path
            try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: target, contents: Data(content)) else {
                throw ArchiveError("cannot write \(target)")
            }
            let location = String(path.prefix { $0 != "/" })
            if locations.last != location { locations.append(location) }
        }
        return locations
    }

    static func append(_ path: String, _ bytes: [UInt8], to out: inout [UInt8]) {
        let name = Array(path.utf8)
        for shift in stride(from: 24, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: name.count >> shift)) }
        out += name
        guard !name.isEmpty else { return }
        for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: bytes.count >> shift)) }
        out += bytes
    }

    /// Every file under `path`, as relative paths, sorted.
    static func files(under path: String) throws -> [String] {
        guard let walk = FileManager.default.enumerator(atPath: path) else { throw ArchiveError("cannot read \(path)") }
        var found: [String] = []
        while let next = walk.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path + "/" + next, isDirectory: &isDirectory), !isDirectory.boolValue {
                found.append(next)
            }
        }
        return found.sorted()
    }

    public struct ArchiveError: Error, CustomStringConvertible {
        public let description: String
        init(_ why: String) { description = "partition checkpoint archive: \(why)" }
    }
}
