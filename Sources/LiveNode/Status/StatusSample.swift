/// The process's figures at one moment, summed over its parts: a point of the status
/// page's charts. Counts are totals; the charts show their rate between samples.
public struct StatusSample: Codable, Sendable, Equatable {
    public var atMs: Int64
    public var recordsIn: Int64
    public var rowsOut: Int64
    public var deadLetters: Int64
    public var inputLagMessages: Int64
    /// The wall clock minus the least watermark of any location; nil before any has one.
    public var watermarkLagSeconds: Double?

    public init(atMs: Int64, parts: [PartStatus]) {
        self.atMs = atMs
        recordsIn = parts.reduce(0) { $0 + $1.recordsIn }
        rowsOut = parts.reduce(0) { $0 + $1.rowsOut }
        deadLetters = parts.reduce(0) { $0 + $1.deadLetterCount }
        inputLagMessages = parts.reduce(0) { $0 + $1.inputLagMessages }
        let least = parts.flatMap(\.locations).compactMap(\.watermarkMs).min()
        watermarkLagSeconds = least.map { Double(atMs - $0) / 1_000 }
    }
}
