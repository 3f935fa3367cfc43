import Dataflow
import Jobs

/// What `POSGenerator` writes: how many stores and lines, the seed, the format, the
/// event-time range, and which fractions of the lines are injected faults.
///
/// The same configuration always produces the same file, byte for byte.
public struct POSGeneratorConfig: Sendable, Equatable {
    /// Stores `store-0001` ... (four digits, more when `stores` needs them). A store's
    /// profile (currencies, terminals, traffic share) depends on its number only, so
    /// `store-0042` looks the same in every generated file.
    public var stores: Int
    /// Lines written, injected ones included. A CSV file has a header line besides.
    public var count: Int
    /// Chooses the traffic: which store, basket, time style... for every line.
    public var seed: UInt64
    /// JSON Lines (spec section 1) or the flat CSV form.
    public var format: InputFormat
    /// Start of the event-time range, epoch milliseconds (default 2026-11-21T00:00:00Z).
    public var start: Int64
    /// Length of the event-time range in milliseconds (default one day).
    public var span: Int64
    /// Fraction of lines that are valid transactions whose event time lies 5 s to
    /// 10 min behind the others': beyond the 2 s out-of-orderness bound.
    public var lateFraction: Double
    /// Fraction of lines that are an exact re-send of a recent valid line.
    public var duplicateFraction: Double
    /// Fraction of lines that break a rule of spec section 1 (see `POSInvalidKind`).
    public var invalidFraction: Double

    /// 2026-11-21T00:00:00Z.
    public static let defaultStart: Int64 = 1_795_219_200_000
    public static let defaultSpan: Int64 = 86_400_000

    public init(stores: Int = 50, count: Int = 100_000, seed: UInt64 = 1, format: InputFormat = .jsonLines,
                start: Int64 = defaultStart, span: Int64 = defaultSpan,
                lateFraction: Double = 0, duplicateFraction: Double = 0, invalidFraction: Double = 0) {
        self.stores = stores
        self.count = count
        self.seed = seed
        self.format = format
        self.start = start
        self.span = span
        self.lateFraction = lateFraction
        self.duplicateFraction = duplicateFraction
        self.invalidFraction = invalidFraction
    }

    /// Throws `POSGeneratorConfig.Invalid` with a one-line reason when the configuration
    /// cannot be generated.
    public func validate() throws {
        func fail(_ reason: String) -> Invalid { Invalid(reason: reason) }
        guard (1 ... 999_999).contains(stores) else { throw fail("--stores must be in 1...999999, not \(stores)") }
        guard count >= 0 else { throw fail("--count must be at least 0, not \(count)") }
        guard span >= 1 else { throw fail("--span must be at least 1 ms") }
        for (name, value) in [("--late-fraction", lateFraction), ("--duplicate-fraction", duplicateFraction),
                              ("--invalid-fraction", invalidFraction)] {
            guard value >= 0 && value <= 1 else { throw fail("\(name) must be in 0...1, not \(value)") }
        }
        guard lateFraction + duplicateFraction + invalidFraction <= 1 else {
            throw fail("the late, duplicate and invalid fractions add up to more than 1")
        }
        // Event times must stay inside the range the spec accepts, late pushes included.
        let lowest: Int64 = 946_684_800_000 + 600_000 + 2_000  // 2000-01-01 plus the largest push back
        let highest: Int64 = 4_102_444_800_000  // 2100-01-01
        guard start >= lowest, start <= highest - span else {
            throw fail("the event-time range must lie within 2000-01-01 ... 2100-01-01 (plus 10 min)")
        }
    }

    public struct Invalid: Error, CustomStringConvertible, Sendable {
        public var reason: String
        public var description: String { reason }
    }
}

/// What a `POSGenerator.write` call wrote.
public struct POSGenerationSummary: Sendable, Equatable, CustomStringConvertible {
    /// Lines written, injected ones included (a CSV header not counted).
    public var lines = 0
    /// Valid transactions in event-time order (within the 2 s bound), refunds and
    /// deliberate total mismatches included.
    public var inOrder = 0
    /// Valid transactions pushed back in time (`lateFraction`).
    public var late = 0
    /// Exact re-sends of an earlier valid line.
    public var duplicates = 0
    /// Lines that break a rule, by kind.
    public var invalidByKind: [POSInvalidKind: Int] = [:]
    /// Valid transactions that are refunds (late ones included, duplicates not).
    public var refunds = 0
    /// Valid transactions whose written total differs from their items' sum (JSON only).
    public var totalMismatches = 0
    /// Uncompressed bytes written, the CSV header included.
    public var bytes: Int64 = 0

    public init() {}

    public var invalid: Int { invalidByKind.values.reduce(0, +) }

    /// "100000 lines (97000 in order, 1000 late, 1000 duplicate, 1000 invalid; 24.1 MB)".
    public var description: String {
        let size = GeneratorText.sizeText(bytes)
        return "\(lines) lines (\(inOrder) in order, \(late) late, \(duplicates) duplicate, \(invalid) invalid; \(size))"
    }
}
