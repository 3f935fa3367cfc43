import Jobs
/// What an `InventoryGenerator.write` call wrote, by kind of line.
///
/// `lines` is the sum of `stockSets`, `adjustments`, `sales`, `refunds`, `reserves`,
/// `commits`, `releases` and `invalid`.
public struct InventoryGenerationSummary: Sendable, Equatable, CustomStringConvertible {
    /// Lines written, broken ones included.
    public var lines = 0
    /// Valid `stock_set` events: the start of day and recounts.
    public var stockSets = 0
    /// Valid `stock_adjust` events: deliveries and shrink.
    public var adjustments = 0
    /// Valid POS transactions of kind `sale`, and of kind `refund`.
    public var sales = 0
    public var refunds = 0
    /// Valid `reserve` events, repeated reservation ids included.
    public var reserves = 0
    /// Valid `commit` and `release` events, those the job will reject included.
    public var commits = 0
    public var releases = 0
    /// Reservations that expire (accepted, and neither committed nor released before the
    /// watermark reaches their expiry), as the generator's own account of spec section 5
    /// predicts under the job's defaults (2 s out-of-orderness, 15 min TTL, total
    /// mismatches corrected).
    public var expectedExpiries = 0
    /// Broken inventory events and broken POS lines, by kind.
    public var invalidEvents: [InventoryInvalidKind: Int] = [:]
    public var invalidTransactions: [POSInvalidKind: Int] = [:]
    /// Uncompressed bytes written.
    public var bytes: Int64 = 0

    public init() {}

    /// Broken lines of both sorts.
    public var invalid: Int { invalidEvents.values.reduce(0, +) + invalidTransactions.values.reduce(0, +) }

    /// "100000 lines (4512 stock sets, 5230 adjustments, 64000 sales, 2000 refunds, 8000
    /// reserves, 6200 commits, 1100 releases, 900 expected expiries, 0 invalid; 24.1 MB)".
    public var description: String {
        "\(lines) lines (\(stockSets) stock sets, \(adjustments) adjustments, \(sales) sales, \(refunds) refunds, "
            + "\(reserves) reserves, \(commits) commits, \(releases) releases, \(expectedExpiries) expected expiries, "
            + "\(invalid) invalid; \(GeneratorText.sizeText(bytes)))"
    }
}
