import CloudPool
import Foundation
import Testing

/// live.md section 4's global rollups, by example: store rows (revisions included) of
/// several locations in, the global rows out.
@Suite struct GlobalRollupTests {
    func row(_ store: String, _ start: Int64, sales: Int, refunds: Int = 0, tx: Int, items: Int, revision: Int) -> [UInt8] {
        Array(("{\"store_id\":\"\(store)\",\"window_start\":\(start),\"window_end\":\(start + 10_000),\"currency\":\"EUR\","
            + "\"sales_minor\":\(sales),\"refunds_minor\":\(refunds),\"turnover_minor\":\(sales - refunds),"
            + "\"tx_count\":\(tx),\"items_sold\":\(items),\"revision\":\(revision)}").utf8)
    }

    func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    @Test func everyStoreRowRevisesTheGlobalRowWithTheSumsOfTheStoresLastRows() throws {
        var rollup = GlobalRollup()
        let w: Int64 = 1_795_256_100_000
        #expect(text(try rollup.storeRow(row("s1", w, sales: 1_000, tx: 2, items: 3, revision: 0))) ==
            "{\"store_id\":\"*\",\"window_start\":\(w),\"window_end\":\(w + 10_000),\"currency\":\"EUR\",\"sales_minor\":1000,"
            + "\"refunds_minor\":0,\"turnover_minor\":1000,\"tx_count\":2,\"items_sold\":3,\"revision\":0,\"stores\":1}\n")
        _ = try rollup.storeRow(row("s2", w, sales: 500, refunds: 100, tx: 2, items: 1, revision: 0))
        // A late record revises s1's row: its new totals replace its old ones.
        let third = text(try rollup.storeRow(row("s1", w, sales: 1_200, tx: 3, items: 4, revision: 1)))
        #expect(third.contains("\"sales_minor\":1700,\"refunds_minor\":100,\"turnover_minor\":1600,\"tx_count\":5,\"items_sold\":5,\"revision\":2,\"stores\":2"))
        // Another window starts at revision 0.
        #expect(text(try rollup.storeRow(row("s2", w + 10_000, sales: 1, tx: 1, items: 1, revision: 0))).contains("\"revision\":0,\"stores\":1"))
        #expect(rollup.windowCount == 2)
        rollup.forget(windowsEndingBefore: w + 20_000)
        #expect(rollup.windowCount == 1)
    }

    @Test func everyAvailabilityRowOfALocationGivesTheSKUsSumOverLocations() throws {
        var rollup = GlobalRollup()
        func line(_ available: Int, at t: Int) -> [UInt8] {
            Array("{\"sku\":\"SKU-1\",\"available\":\(available),\"locations\":1,\"event_time\":\(t)}".utf8)
        }
        #expect(text(try rollup.availabilityRow(line(10, at: 1), location: "s1")) == "{\"sku\":\"SKU-1\",\"available\":10,\"locations\":1,\"event_time\":1}\n")
        #expect(text(try rollup.availabilityRow(line(4, at: 2), location: "wh-01")) == "{\"sku\":\"SKU-1\",\"available\":14,\"locations\":2,\"event_time\":2}\n")
        #expect(text(try rollup.availabilityRow(line(7, at: 3), location: "s1")) == "{\"sku\":\"SKU-1\",\"available\":11,\"locations\":2,\"event_time\":3}\n")
    }

    @Test func aRowThatIsNotAStoreRowIsAnError() {
        var rollup = GlobalRollup()
        #expect(throws: (any Error).self) { _ = try rollup.storeRow(Array("{\"store_id\":1}".utf8)) }
    }
}
