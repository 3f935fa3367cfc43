/// Which partition of a cloud job a location belongs to (live.md section 4):
/// `fnv1a32(location) mod P`, FNV-1a over the location's UTF-8 bytes, 32 bits (the
/// number JetStream's `partition()` subject transform gives for one token).
public enum LocationPartition {
    public static func fnv1a32(_ text: String) -> UInt32 {
        var hash: UInt32 = 2_166_136_261
        for byte in text.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 16_777_619
        }
        return hash
    }

    public static func of(_ location: String, partitions: Int) -> Int {
        Int(fnv1a32(location) % UInt32(partitions))
    }

    /// The location of a `TILLFLOW_IN` subject (`tillflow.in.<loc>.<kind>`): its third
    /// token; nil for a subject of another shape.
    public static func location(ofSubject subject: String) -> Substring? {
        let tokens = subject.split(separator: ".", omittingEmptySubsequences: false)
        guard tokens.count == 4, tokens[0] == "tillflow", tokens[1] == "in", !tokens[2].isEmpty else { return nil }
        return tokens[2]
    }
}
