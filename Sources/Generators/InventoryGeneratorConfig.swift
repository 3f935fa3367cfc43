import Jobs
/// What `InventoryGenerator` writes: how many locations, SKUs and lines, the seed, the
/// event-time range, and which fraction of the lines are broken.
///
/// The same configuration always produces the same file, byte for byte.
public struct InventoryGeneratorConfig: Sendable, Equatable {
    /// Locations in all: stores `store-0001` ... (the same ids, currencies, terminals and
    /// traffic shares as `POSGenerator`'s stores of those numbers) and warehouses `wh-01`
    /// ..., about one per ten locations (`warehouses`).
    public var locations: Int
    /// SKUs `SKU-00001` ... `SKU-<skus>`: the first `skus` of the generators' catalog,
    /// with its prices and popularity.
    public var skus: Int
    /// Lines written, everything included.
    public var count: Int
    /// Chooses the assortments, the traffic and how every line is written.
    public var seed: UInt64
    /// Start of the event-time range, epoch milliseconds (default 2026-11-21T00:00:00Z).
    public var start: Int64
    /// Length of the event-time range in milliseconds (default one day).
    public var span: Int64
    /// Fraction of lines that break a rule: malformed inventory events
    /// (`InventoryInvalidKind`) and malformed POS lines (`POSInvalidKind`), half each.
    public var invalidFraction: Double
    /// Fraction of the fresh traffic (lines neither broken nor planned follow-ups) that
    /// is POS transactions; the rest (reservations, deliveries, shrink, recounts, stray
    /// finishes, repeated ids) keeps its proportions. Lower it for a reservation-heavy
    /// stream: at 0.2 about a third of the lines are reservations.
    public var posFraction: Double

    /// The POS share of fresh traffic by default (about 0.86).
    public static let defaultPOSFraction = Double(InventoryLineMaker.defaultFreshWeights[0])
        / Double(InventoryLineMaker.defaultFreshWeights.reduce(0, +))

    /// 2026-11-21T00:00:00Z.
    public static let defaultStart: Int64 = POSGeneratorConfig.defaultStart
    public static let defaultSpan: Int64 = POSGeneratorConfig.defaultSpan
    public static let maxLocations = 9999

    public init(locations: Int = 20, skus: Int = 500, count: Int = 100_000, seed: UInt64 = 1,
                start: Int64 = defaultStart, span: Int64 = defaultSpan, invalidFraction: Double = 0,
                posFraction: Double = defaultPOSFraction) {
        self.locations = locations
        self.skus = skus
        self.count = count
        self.seed = seed
        self.start = start
        self.span = span
        self.invalidFraction = invalidFraction
        self.posFraction = posFraction
    }

    /// Warehouses among the locations: none for fewer than 3, else one per ten rounded
    /// (at least one): 20 locations are 18 stores and 2 warehouses.
    public var warehouses: Int { locations < 3 ? 0 : Swift.max(1, (locations + 5) / 10) }

    /// Stores among the locations.
    public var stores: Int { locations - warehouses }

    /// Throws `InventoryGeneratorConfig.Invalid` with a one-line reason when the
    /// configuration cannot be generated.
    public func validate() throws {
        func fail(_ reason: String) -> Invalid { Invalid(reason: reason) }
        guard (1 ... Self.maxLocations).contains(locations) else {
            throw fail("--locations must be in 1...\(Self.maxLocations), not \(locations)")
        }
        guard (1 ... ProductCatalog.size).contains(skus) else {
            throw fail("--skus must be in 1...\(ProductCatalog.size), not \(skus)")
        }
        guard count >= 0 else { throw fail("--count must be at least 0, not \(count)") }
        guard span >= 1 else { throw fail("--span must be at least 1 ms") }
        guard invalidFraction >= 0 && invalidFraction <= 1 else {
            throw fail("--invalid-fraction must be in 0...1, not \(invalidFraction)")
        }
        guard posFraction >= 0 && posFraction <= 1 else {
            throw fail("--pos-fraction must be in 0...1, not \(posFraction)")
        }
        let lowest: Int64 = 946_684_800_000  // 2000-01-01
        let highest: Int64 = 4_102_444_800_000  // 2100-01-01
        guard start >= lowest, start <= highest - span else {
            throw fail("the event-time range must lie within 2000-01-01 ... 2100-01-01")
        }
    }

    public struct Invalid: Error, CustomStringConvertible, Sendable {
        public var reason: String
        public var description: String { reason }
    }
}
