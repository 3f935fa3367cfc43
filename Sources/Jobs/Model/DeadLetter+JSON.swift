import Dataflow

extension DeadLetter {
    /// How much of the input line a dead letter keeps (spec section 3).
    public static let rawPrefixBytes = 4096

    /// Appends the dead letter (spec section 3) as one line, with its `\n`:
    /// `reason`, `field` (left out when `nil`), `detail`, `source` (`name:line`),
    /// and `raw`, the line's first 4096 bytes with invalid UTF-8 replaced by U+FFFD
    /// (maximal invalid subparts, as Python's `errors="replace"` does).
    public func writeJSON(into out: inout [UInt8], sourceName: String) {
        JSONWriter.appendRaw("{\"reason\":", to: &out)
        JSONWriter.appendString(rejection.reason.rawValue, to: &out)
        if let field = rejection.field {
            JSONWriter.appendRaw(",\"field\":", to: &out)
            JSONWriter.appendString(field, to: &out)
        }
        JSONWriter.appendRaw(",\"detail\":", to: &out)
        JSONWriter.appendString(rejection.detail, to: &out)
        JSONWriter.appendRaw(",\"source\":", to: &out)
        JSONWriter.appendString("\(sourceName):\(origin.lineNumber)", to: &out)
        JSONWriter.appendRaw(",\"raw\":", to: &out)
        JSONWriter.appendString(String(decoding: origin.raw.prefix(Self.rawPrefixBytes), as: UTF8.self), to: &out)
        JSONWriter.appendRaw("}\n", to: &out)
    }
}
