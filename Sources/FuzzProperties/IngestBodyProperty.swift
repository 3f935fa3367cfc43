import Dataflow

/// The HTTP ingest (`RecordIngest`) cuts a body into lines as a file's lines are cut
/// (`InputLines`): joined again with `\n` they are the body (less one final `\n`), and
/// none holds a `\n`.
public enum IngestBodyProperty {
    public static func check(_ bytes: UnsafeRawBufferPointer) {
        let body = Array(bytes)
        let lines = InputLines.of(body)
        precondition(!lines.isEmpty, "a body of no lines")
        precondition(lines.allSatisfy { !$0.contains(10) }, "a line with a line break")
        var joined = Array(lines.joined(separator: [10]))
        if body.last == 10 { joined.append(10) }
        precondition(joined == body, "lines that do not make the body again")
    }
}
