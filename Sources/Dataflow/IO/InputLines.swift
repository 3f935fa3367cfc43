/// The lines of a body of bytes as a file's lines are cut (an HTTP ingest's body, a
/// fuzzer's input): at each `\n`, which belongs to no line; a last line without one
/// still counts, and a final `\n` ends the last line rather than starting an empty one.
/// An empty body is one empty line.
public enum InputLines {
    public static func of(_ body: some Collection<UInt8>) -> [ArraySlice<UInt8>] {
        var lines = Array(body).split(separator: 10, omittingEmptySubsequences: false)
        if lines.count > 1, lines.last!.isEmpty { lines.removeLast() }
        return lines
    }
}
