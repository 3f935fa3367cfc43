import Dataflow
import Jobs

/// The transactions of POS terminals as they happen now, for `tillflow simulate`: each
/// line is made at the wall-clock time it is asked for, mostly valid and in order (up
/// to 1.5 s behind now, inside the 2 s out-of-orderness bound), some late (5 s to
/// 10 min behind), some a recent line sent again (a till retrying), some breaking one
/// rule (`POSInvalidKind`, but never over 1 MiB: a NATS message cannot be that large).
///
/// Receipt numbers follow the generators' rule (one per second of time since their
/// default start), so that runs started later go on where earlier ones left off.
public struct LiveTransactionMaker {
    public enum Kind: Sendable, Hashable { case valid, late, duplicate, invalid }

    let lateFraction: Double
    let duplicateFraction: Double
    let invalidFraction: Double
    var random: SeededRandom
    let catalog = ProductCatalog()
    var maker: TransactionDraftMaker
    let invalidWeights: [(kind: POSInvalidKind, weight: Int)]
    /// The last valid lines, a ring: a duplicate is one of them.
    var recent: [[UInt8]] = []
    var recentNext = 0
    static let recentCapacity = 10

    /// - Parameter firstStore: the number of the first store (`store-0001` by default):
    ///   terminals of stores `firstStore` ... `firstStore + stores - 1`.
    public init(stores: Int, firstStore: Int = 1, seed: UInt64, start: Int64, lateFraction: Double = 0.01,
                duplicateFraction: Double = 0.005, invalidFraction: Double = 0.01) {
        random = SeededRandom(seed: seed)
        maker = TransactionDraftMaker(directory: StoreDirectory(count: stores, first: firstStore), catalog: catalog, start: start)
        invalidWeights = POSInvalidKind.weights(for: .jsonLines).filter { $0.kind != .oversizedLine }
        self.lateFraction = lateFraction
        self.duplicateFraction = duplicateFraction
        self.invalidFraction = invalidFraction
    }

    /// Appends one line (without `\n`) made at `now` (epoch ms), and says what it is.
    public mutating func appendLine(now: Int64, to out: inout [UInt8]) -> Kind {
        let r = Double(random.int(below: 1_000_000)) / 1_000_000
        let start = out.count
        if r < lateFraction {
            maker.makeValidDraft(eventTime: now - Int64(random.int(in: 5_000 ... 600_000)), skus: catalog, &random)
            maker.appendRecord(.none, format: .jsonLines, to: &out)
            return .late
        }
        if r < lateFraction + duplicateFraction, !recent.isEmpty {
            let back = random.int(in: 1 ... recent.count)
            out.append(contentsOf: recent[(recentNext - back + Self.recentCapacity) % Self.recentCapacity])
            return .duplicate
        }
        if r < lateFraction + duplicateFraction + invalidFraction {
            let kind = invalidWeights[random.pick(weights: invalidWeights.map(\.weight))].kind
            maker.appendInvalid(kind, eventTime: now, format: .jsonLines, skus: catalog, &random, to: &out)
            return .invalid
        }
        maker.makeValidDraft(eventTime: now - Int64(random.int(in: 0 ... 1_500)), skus: catalog, &random)
        maker.appendRecord(.none, format: .jsonLines, to: &out)
        if recent.count < Self.recentCapacity {
            recent.append(Array(out[start...]))
        } else {
            recent[recentNext] = Array(out[start...])
        }
        recentNext = (recentNext + 1) % Self.recentCapacity
        return .valid
    }
}
