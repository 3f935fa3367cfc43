import Jobs
/// The generators' product catalog: SKUs `SKU-00001` ... with a stable price per SKU and
/// currency, and a popularity skew (a few SKUs sell far more often than most).
///
/// The catalog is the same in every generated file, whatever the seed: the same SKU
/// always costs the same, so that generated files can be compared and joined.
struct ProductCatalog {
    /// Number of SKUs.
    static let size = 4000
    private static let catalogSeed: UInt64 = 0x7E11_F10C_A7A1_0600

    /// Price in minor units, indexed by `Currency.rawValue * size + sku`.
    private let prices: [Int64]
    /// Cumulative popularity weights, for drawing SKUs in proportion to them.
    private let cumulativeWeights: [UInt64]

    init() {
        var random = SeededRandom(seed: Self.catalogSeed)
        var euroCents: [Int64] = []
        euroCents.reserveCapacity(Self.size)
        for sku in 0 ..< Self.size {
            euroCents.append(Self.drawEuroPrice(sku: sku, &random))
        }
        var prices = [Int64](repeating: 0, count: Currency.allCases.count * Self.size)
        for currency in Currency.allCases {
            for sku in 0 ..< Self.size {
                prices[Int(currency.rawValue) * Self.size + sku] = Self.convert(euroCents[sku], to: currency)
            }
        }
        self.prices = prices
        // Zipf-like: the SKU of rank k sells in proportion to 1 / (k + 8).
        var cumulative: [UInt64] = []
        cumulative.reserveCapacity(Self.size)
        var total: UInt64 = 0
        for sku in 0 ..< Self.size {
            total += Self.popularity(of: sku)
            cumulative.append(total)
        }
        self.cumulativeWeights = cumulative
    }

    /// Price of `sku` (0-based) in `currency`, in minor units.
    @inline(__always)
    func price(of sku: Int, in currency: Currency) -> Int64 {
        prices[Int(currency.rawValue) * Self.size + sku]
    }

    /// The relative sales weight of `sku` (0-based), Zipf-like: 8,000,000 / (sku + 8).
    @inline(__always)
    static func popularity(of sku: Int) -> UInt64 { 8_000_000 / UInt64(sku + 8) }

    /// A SKU drawn by popularity.
    func drawSKU(_ random: inout SeededRandom) -> Int {
        random.index(inCumulativeWeights: cumulativeWeights)
    }

    /// Appends the SKU code, `SKU-00017` for the 0-based index 16.
    @inline(__always)
    static func appendCode(of sku: Int, to out: inout [UInt8]) {
        out.append(contentsOf: [UInt8(ascii: "S"), UInt8(ascii: "K"), UInt8(ascii: "U"), UInt8(ascii: "-")])
        GeneratorText.appendPadded(sku + 1, width: 5, to: &out)
    }

    /// A retail price in euro cents between 0.29 and 199.99, ending in .99, .49, .29...
    /// Popular (low-numbered) SKUs are mostly everyday goods, so cheaper.
    private static func drawEuroPrice(sku: Int, _ random: inout SeededRandom) -> Int64 {
        let tiers: [(low: Int, high: Int)] = [(0, 4), (5, 19), (20, 49), (50, 99), (100, 199)]
        let weights = sku < 400 ? [60, 30, 8, 2, 0] : [25, 30, 22, 14, 9]
        let tier = tiers[random.pick(weights: weights)]
        let euros = random.int(in: tier.low ... tier.high)
        let endings = [99, 49, 29, 95, 79, 19, 50, 0]
        var cents = endings[random.pick(weights: [40, 15, 10, 10, 8, 7, 5, 5])]
        if euros == 0 && cents < 29 { cents = 29 }
        return Int64(euros * 100 + cents)
    }

    /// The price a store in `currency` asks for an item costing `euroCents` in the euro
    /// area: converted, then rounded the way shops there price (x.x9, 5 rappen, whole
    /// kronor, yen ending in 8, 50 fils).
    static func convert(_ euroCents: Int64, to currency: Currency) -> Int64 {
        switch currency {
        case .EUR:
            return euroCents
        case .USD, .GBP, .PLN:
            let rate: Int64 = currency == .USD ? 108 : currency == .GBP ? 86 : 430
            let v = euroCents * rate / 100
            return v - v % 10 + 9
        case .CHF:
            return max(5, (euroCents * 94 / 100 + 2) / 5 * 5)
        case .SEK:
            let kronor = (euroCents * 1150 / 100 + 50) / 100
            return kronor >= 10 ? kronor * 100 - 10 : max(1, kronor) * 100
        case .JPY:
            let yen = euroCents * 165 / 100
            return yen >= 100 ? (yen + 5) / 10 * 10 - 2 : max(10, yen)
        case .KWD:
            let fils = euroCents * 330 / 100
            return fils >= 1000 ? (fils + 25) / 50 * 50 : max(5, (fils + 2) / 5 * 5)
        }
    }
}
