import Dataflow
import Jobs

/// Writes synthetic POS transactions in the input format of spec section 1 (JSON
/// Lines, or the flat CSV form): the data for demos, tests and benchmarks.
///
/// What the output looks like:
/// - `stores` stores `store-0001` ... with 1 to 8 terminals each (`t01` ...), most
///   taking EUR, a few USD, GBP, CHF, SEK, PLN, JPY or KWD, about 5% two currencies;
///   busier stores have more terminals and more traffic.
/// - `tx_id` `s0042-t03-000918`: store, terminal, that terminal's receipt counter, so
///   unique per store.
/// - Event times follow a shopping day over `[start, start + span)`, in file order
///   except that each record is set back by up to 1.5 s (inside the 2 s bound).
/// - Baskets of 1 to 12 items (mostly few), quantities mostly 1 to 3, SKUs from a
///   catalog of 4000 with stable per-currency retail prices (0.29 to 199.99 EUR, JPY
///   without decimals, KWD with 3 digits) and a few bestsellers; about 3% refunds.
/// - Written in every accepted form: `event_time` half as integer epoch ms, half as
///   RFC 3339 with milliseconds (`Z` or `+01:00`); money as strings or numbers, with or
///   without trailing zeros; `kind` sometimes absent (a sale); `payment` card, cash,
///   voucher or absent; an ignored `loyalty_id` on some records. About 2% of
///   JSON records carry a total that differs from their items (validation corrects it).
/// - Injected on request, as exact fractions of `count`: late records, exact re-sends
///   of a recent line, and invalid lines (`POSInvalidKind`).
///
/// The same configuration always writes the same bytes. A path ending in `.zst` is
/// written zstd-compressed.
public enum POSGenerator {
    /// Writes `config.count` lines (after a header line, for CSV) to `path`.
    public static func write(_ config: POSGeneratorConfig, to path: String) throws -> POSGenerationSummary {
        try config.validate()
        var maker = POSLineMaker(config)
        var header: [UInt8] = []
        if config.format == .csv {
            JSONWriter.appendRaw(TransactionDraft.csvHeader, to: &header)
            header.append(0x0A)
        }
        let headerBytes = Int64(header.count)
        try writeGeneratedLines(to: path, header: header, count: config.count) { maker.appendLine($0, to: &$1) }
        var summary = maker.summary
        summary.bytes += headerBytes
        return summary
    }
}
