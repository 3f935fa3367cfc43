import Jobs
/// The locations of a generated inventory stream and what each one carries.
///
/// Locations are numbered stores first (`0 ..< storeCount`, the same indices as
/// `directory.stores`), then warehouses. Each location carries an assortment: a subset
/// of the SKUs, popular ones more likely, wider in busier stores and widest in the
/// warehouses. A carried (location, SKU) pair is a *slot*; slots are numbered location by
/// location, SKUs ascending, and each has a par level (what a full shelf holds, 6 to 200)
/// and an opening stock (0 to the par level, 0 for about 5%).
struct InventoryNetwork: SKUSource {
    let directory: StoreDirectory
    let storeCount: Int
    let warehouseCount: Int
    /// Location ids: `store-0001` ..., then `wh-01` ...
    let ids: [[UInt8]]
    /// The slots of location `l` are `slotBase[l] ..< slotBase[l + 1]`.
    let slotBase: [Int]
    /// Per slot: its SKU (0-based), par level and opening stock.
    let skuOfSlot: [Int32]
    let par: [Int32]
    let opening: [Int32]
    /// Per location: running sums of the popularity of its carried SKUs, for drawing them.
    private let cumulative: [[UInt64]]

    var locationCount: Int { storeCount + warehouseCount }
    var slotCount: Int { skuOfSlot.count }

    /// An assortment for every location of `config`, drawn from `seed`. When all of them
    /// together would carry more than a quarter of `config.count` pairs (their opening
    /// stock sets would crowd out the day), every location carries proportionally less,
    /// down to one SKU.
    init(_ config: InventoryGeneratorConfig) {
        storeCount = config.stores
        warehouseCount = config.warehouses
        directory = StoreDirectory(count: storeCount)
        var ids = directory.stores.map(\.id)
        let warehouseDigits = max(2, String(warehouseCount).count)
        for w in 0 ..< warehouseCount {
            var id = Array("wh-".utf8)
            GeneratorText.appendPadded(w + 1, width: warehouseDigits, to: &id)
            ids.append(id)
        }
        self.ids = ids
        let locations = ids.count
        let skus = config.skus

        var random = SeededRandom(seed: config.seed, stream: 0x1A55_0127)
        // How broad each assortment is: the chance of carrying an ordinary SKU.
        var breadth: [Double] = []
        for l in 0 ..< locations {
            if l < storeCount {
                let weight = Double(directory.stores[l].weight)
                breadth.append(min(0.8, 0.2 + 0.025 * weight + 0.15 * random.unit()))
            } else {
                breadth.append(0.85 + 0.15 * random.unit())
            }
        }
        let popularTier = max(1, skus / 10)
        func boost(_ sku: Int) -> Double { sku < popularTier ? 2.0 : sku < skus / 2 ? 1.0 : 0.7 }
        var expected = 0.0
        for l in 0 ..< locations {
            for sku in 0 ..< skus { expected += min(1, breadth[l] * boost(sku)) }
        }
        let budget = Double(max(locations, config.count / 4))
        let scale = expected > budget ? budget / expected : 1

        var slotBase: [Int] = [0]
        var skuOfSlot: [Int32] = []
        var par: [Int32] = []
        var opening: [Int32] = []
        var cumulative: [[UInt64]] = []
        for l in 0 ..< locations {
            let isStore = l < storeCount
            let first = skuOfSlot.count
            for sku in 0 ..< skus where random.unit() < min(1, breadth[l] * boost(sku)) * scale {
                skuOfSlot.append(Int32(sku))
            }
            if skuOfSlot.count == first { skuOfSlot.append(Int32(random.int(below: popularTier))) }
            var sums: [UInt64] = []
            var total: UInt64 = 0
            for slot in first ..< skuOfSlot.count {
                let sku = Int(skuOfSlot[slot])
                total += ProductCatalog.popularity(of: sku)
                sums.append(total)
                let level: Int
                if !isStore {
                    level = random.int(in: 80 ... 200)
                } else if sku < popularTier {
                    level = random.int(in: 40 ... 200)
                } else {
                    level = random.int(below: 4) == 0 ? random.int(in: 60 ... 120) : random.int(in: 6 ... 60)
                }
                par.append(Int32(level))
                opening.append(random.int(below: 20) == 0 ? 0 : Int32(random.int(in: level * 2 / 5 ... level)))
            }
            cumulative.append(sums)
            slotBase.append(skuOfSlot.count)
        }
        self.slotBase = slotBase
        self.skuOfSlot = skuOfSlot
        self.par = par
        self.opening = opening
        self.cumulative = cumulative
    }

    func isStore(_ location: Int) -> Bool { location < storeCount }

    /// A slot of `location`, its SKU drawn by popularity.
    @inline(__always)
    func drawSlot(location: Int, _ random: inout SeededRandom) -> Int {
        slotBase[location] + random.index(inCumulativeWeights: cumulative[location])
    }

    /// A SKU the store (an index of `directory.stores`) carries, by popularity.
    @inline(__always)
    func drawSKU(store: Int, _ random: inout SeededRandom) -> Int {
        Int(skuOfSlot[drawSlot(location: store, &random)])
    }

    /// The slot of `sku` at `location`, which must carry it.
    func slot(location: Int, sku: Int) -> Int {
        var low = slotBase[location]
        var high = slotBase[location + 1] - 1
        let target = Int32(sku)
        while low < high {
            let mid = (low + high) / 2
            if skuOfSlot[mid] < target { low = mid + 1 } else { high = mid }
        }
        precondition(skuOfSlot[low] == target, "SKU \(sku) is not carried at location \(location)")
        return low
    }

    /// A store by traffic share.
    @inline(__always)
    func drawStore(_ random: inout SeededRandom) -> Int { directory.drawStore(&random) }

    /// A warehouse location, uniformly; `nil` when there are none.
    func drawWarehouse(_ random: inout SeededRandom) -> Int? {
        warehouseCount == 0 ? nil : storeCount + random.int(below: warehouseCount)
    }

    /// A store by traffic share, or with `warehousePercent` chance a warehouse.
    func drawLocation(warehousePercent: Int, _ random: inout SeededRandom) -> Int {
        if warehouseCount > 0 && random.int(below: 100) < warehousePercent { return drawWarehouse(&random)! }
        return drawStore(&random)
    }
}
