import Jobs
/// One generated store: its ids, terminals, currencies and share of the traffic.
///
/// A profile depends only on the store's number, never on the seed or the number of
/// stores, so `store-0042` has the same terminals and currencies in every file.
final class StoreProfile {
    let number: Int
    /// `store-0042`.
    let id: [UInt8]
    /// `t01` ... one per terminal (1 to 8).
    let terminalIDs: [[UInt8]]
    /// `s0042-t03-` per terminal: the transaction id up to its counter.
    let txPrefixes: [[UInt8]]
    /// Each terminal's first receipt number.
    let firstCounters: [Int]
    let currency: Currency
    /// A second currency the store takes (about 5% of stores), and how often, in percent.
    let secondCurrency: Currency?
    let secondCurrencyPercent: Int
    /// Relative share of the traffic (1 ... 21).
    let weight: Int

    private static let currencyByResidue: [Int: Currency] = [
        3: .USD, 7: .GBP, 11: .CHF, 14: .SEK, 17: .PLN, 20: .JPY, 23: .KWD,
    ]

    private static let profileSeed: UInt64 = 0x5704_E5EE_D000_0042

    init(number: Int, digits: Int) {
        var random = SeededRandom(seed: Self.profileSeed, stream: UInt64(number))
        self.number = number
        var id = Array("store-".utf8)
        GeneratorText.appendPadded(number, width: digits, to: &id)
        self.id = id
        weight = 1 + random.int(below: 8) + random.int(below: 8) * random.int(below: 8) / 4
        let terminals = min(8, 1 + weight / 3 + random.int(below: 3))
        var terminalIDs: [[UInt8]] = []
        var txPrefixes: [[UInt8]] = []
        var firstCounters: [Int] = []
        for t in 1 ... terminals {
            var terminal = [UInt8(ascii: "t")]
            GeneratorText.appendPadded(t, width: 2, to: &terminal)
            var prefix = [UInt8(ascii: "s")]
            GeneratorText.appendPadded(number, width: digits, to: &prefix)
            prefix.append(UInt8(ascii: "-"))
            prefix += terminal
            prefix.append(UInt8(ascii: "-"))
            terminalIDs.append(terminal)
            txPrefixes.append(prefix)
            firstCounters.append(1 + random.int(below: 900))
        }
        self.terminalIDs = terminalIDs
        self.txPrefixes = txPrefixes
        self.firstCounters = firstCounters
        // Every 25 stores: 18 in EUR and one in each other currency, so that a file of a
        // few dozen stores has them all; one store in 20 takes a second currency.
        currency = Self.currencyByResidue[number % 25] ?? .EUR
        if number % 20 == 9 {
            let seconds: [Currency] = currency == .EUR ? [.CHF, .GBP, .USD, .PLN, .SEK] : [.EUR]
            secondCurrency = seconds[random.int(below: seconds.count)]
            secondCurrencyPercent = random.int(in: 10 ... 25)
        } else {
            secondCurrency = nil
            secondCurrencyPercent = 0
        }
    }
}

/// The stores of one generated file, drawn in proportion to their traffic share.
struct StoreDirectory {
    let stores: [StoreProfile]
    private let cumulativeWeights: [UInt64]

    /// Stores number `first` ... `first + count - 1` (`store-0001` ... by default).
    init(count: Int, first: Int = 1) {
        let digits = max(4, String(first + count - 1).count)
        stores = (first ..< first + count).map { StoreProfile(number: $0, digits: digits) }
        var total: UInt64 = 0
        cumulativeWeights = stores.map { total += UInt64($0.weight); return total }
    }

    /// A store index drawn by traffic share.
    func drawStore(_ random: inout SeededRandom) -> Int {
        random.index(inCumulativeWeights: cumulativeWeights)
    }
}
