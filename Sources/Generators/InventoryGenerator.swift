import Dataflow
import Jobs

/// Writes a synthetic inventory stream: the mixed input of the `inventory` job, inventory
/// events (spec section 5) and POS transactions (spec section 1) in one JSON Lines file,
/// in event-time order within the 2 s out-of-orderness bound.
///
/// What the output looks like:
/// - Locations: stores `store-0001` ... (the stores of `POSGenerator` with those numbers:
///   same currencies, terminals, traffic shares) and about one warehouse `wh-01` ... per
///   ten locations. Each carries an assortment of the SKUs `SKU-00001` ... (popular ones
///   more often; warehouses almost all), each with a par level of 6 to 200.
/// - Start of day, at `start`: a `stock_set` for every carried (location, SKU), 0 to its
///   par level, about 5% at 0. Event ids `e000001` ... are unique in the file.
/// - Through the day, following a shopping day over `[start, start + span)`, each line
///   set back by up to 1.5 s:
///   - POS sales and refunds (about 3%) at stores, as `POSGenerator` writes them, of
///     SKUs the store carries: stock moves, and popular SKUs sometimes sell below zero;
///   - deliveries (`stock_adjust` > 0) topping up what runs low, in whole cases, a
///     burst of lines at a time; shrink (`stock_adjust` -1 to -3, sometimes a case);
///     recounts (`stock_set`);
///   - click-and-collect reservations at stores and warehouses: 1 to 5 lines, sometimes
///     the same SKU twice, about 4% asking for more than is available; ids `r-000001`
///     ..., orders `o-1000000` ...; `ttl_ms` mostly absent (15 min), else 2 to 10 min;
///   - later, most reservations committed within their TTL, some released, some left to
///     expire, a few committed or released after expiry or twice, and a few commits or
///     releases of ids unknown at their location and reserves repeating a used id.
/// - Event times: POS lines half integers, half RFC 3339; inventory events mostly
///   integers, about 15% RFC 3339 (`Z` or `+01:00`).
/// - Broken lines on request (`invalidFraction`), exactly `round(invalidFraction * count)`
///   of them (at most the lines after the opening stock sets): half broken inventory
///   events (`InventoryInvalidKind`), half broken POS lines (`POSInvalidKind`).
///
/// The same configuration always writes the same bytes. A path ending in `.zst` is
/// written zstd-compressed.
public enum InventoryGenerator {
    /// Writes `config.count` lines to `path`.
    public static func write(_ config: InventoryGeneratorConfig, to path: String) throws -> InventoryGenerationSummary {
        try config.validate()
        var maker = InventoryLineMaker(config)
        try writeGeneratedLines(to: path, count: config.count) { maker.appendLine($0, to: &$1) }
        maker.finish()
        return maker.summary
    }
}
