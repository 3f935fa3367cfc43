/// One line read from an input file: the record type a file source emits.
public struct InputLine: Sendable {
    public var origin: LineOrigin
    /// The line's real length (its stored bytes may be cut, see `LineSpan`).
    public var fullLength: Int
    public var format: InputFormat

    public init(origin: LineOrigin, fullLength: Int, format: InputFormat) {
        self.origin = origin
        self.fullLength = fullLength
        self.format = format
    }
}
