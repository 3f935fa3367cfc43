import Foundation
import FuzzProperties
import NATS
import Testing

/// Every input of the fuzz targets' committed corpora (`Fuzz/corpus/<target>/`: the seeds,
/// and each crash a fuzzer found, kept as a regression) passes its target's check.
@Suite struct FuzzCorpusTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    static let checks: [String: (UnsafeRawBufferPointer) -> Void] = [
        "fuzz-pos-json": TransactionJSONProperty.check,
        "fuzz-pos-csv": TransactionCSVProperty.check,
        "fuzz-inventory": InventoryLineProperty.check,
        "fuzz-clock-mark": ClockMarkProperty.check,
        "fuzz-ingest-lines": IngestBodyProperty.check,
        "fuzz-nats-protocol": ServerOperationFuzzing.check,
    ]

    @Test(arguments: checks.keys.sorted())
    func everyCorpusInputPasses(_ target: String) throws {
        let directory = Self.root + "/Fuzz/corpus/" + target
        let inputs = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        #expect(inputs.count >= 3, "a seed corpus for \(target)")
        for input in inputs {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: directory + "/" + input))
            bytes.withUnsafeBytes { Self.checks[target]!($0) }
        }
    }
}
