import Dataflow
import Foundation
import Jobs
import Testing

/// Runs a job in process over input files written from the given lines, and reads back
/// its output files as lines and as parsed JSON objects.
struct ReplayFixture {
    let directory: String

    init() throws {
        directory = NSTemporaryDirectory() + "tillflow-e2e-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    func write(_ name: String, _ lines: [String]) throws -> String {
        let path = directory + "/" + name
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    func writeBytes(_ name: String, _ bytes: [UInt8]) throws -> String {
        let path = directory + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Runs `kind` over `inputs` into `out`. With `rocksDB` left out, the job runs on
    /// both backends, RocksDB (the default users run) into `out` + "-rocksdb", and every
    /// output file must be the same byte for byte (an issue is recorded naming the first
    /// that differs); the memory run's outputs are returned. So each example of the spec
    /// holds on both.
    @discardableResult
    func run(_ kind: JobKind, inputs: [String], options: JobOptions = JobOptions(), out: String = "out",
             rocksDB: Bool? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws -> Outputs {
        guard rocksDB == nil else { return try runOnce(kind, inputs: inputs, options: options, out: out, rocksDB: rocksDB!) }
        let memory = try runOnce(kind, inputs: inputs, options: options, out: out, rocksDB: false)
        let rocks = try runOnce(kind, inputs: inputs, options: options, out: out + "-rocksdb", rocksDB: true)
        for name in Self.outputNames where memory.bytes(name) != rocks.bytes(name) {
            Issue.record("\(name) differs between the memory and RocksDB backends", sourceLocation: sourceLocation)
            break
        }
        return memory
    }

    static let outputNames = ["valid.jsonl", "invalid.jsonl", "turnover.jsonl", "rollup.jsonl", "late.jsonl",
                              "decisions.jsonl", "alerts.jsonl", "availability.jsonl"]

    func runOnce(_ kind: JobKind, inputs: [String], options: JobOptions, out: String, rocksDB: Bool) throws -> Outputs {
        let outDir = directory + "/" + out
        var settings = RunSettings(outputDirectory: outDir)
        settings.backend = rocksDB ? .rocksdb : .memory
        settings.memoryBudget = 32 << 20
        settings.overwrite = true
        try JobRun(job: RetailJob(kind, options: options), inputs: inputs.map(InputFile.init(path:)), settings: settings).run()
        return Outputs(directory: outDir)
    }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }
}

struct Outputs {
    let directory: String

    func lines(_ name: String) -> [String] {
        guard let data = FileManager.default.contents(atPath: directory + "/" + name) else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            .dropLast().map(String.init)
    }

    func objects(_ name: String) -> [[String: Any]] {
        lines(name).map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
    }

    func bytes(_ name: String) -> [UInt8] {
        [UInt8](FileManager.default.contents(atPath: directory + "/" + name) ?? Data())
    }

    var valid: [[String: Any]] { objects("valid.jsonl") }
    var invalid: [[String: Any]] { objects("invalid.jsonl") }
    var turnover: [[String: Any]] { objects("turnover.jsonl") }
    var rollup: [[String: Any]] { objects("rollup.jsonl") }
    var late: [[String: Any]] { objects("late.jsonl") }

    /// Turnover rows as "store currency window_end sales/refunds/count/items #revision".
    func rows(_ name: String = "turnover.jsonl") -> [String] {
        objects(name).map { o in
            "\(o["store_id"]!) \(o["currency"]!) \(o["window_end"]!) \(o["sales_minor"]!)/\(o["refunds_minor"]!)/\(o["tx_count"]!)/\(o["items_sold"]!) #\(o["revision"]!)"
                + (o["stores"].map { " stores=\($0)" } ?? "")
        }
    }
}

/// A POS transaction line in the input format of spec section 1.
func tx(_ id: String, store: String = "store-1", at time: Int64, kind: String? = nil, currency: String = "EUR",
        items: [(String, Int, String)] = [("SKU-1", 1, "1.00")], total: String? = nil) -> String {
    let itemText = items.map { "{\"sku\":\"\($0.0)\",\"qty\":\($0.1),\"unit_price\":\"\($0.2)\"}" }.joined(separator: ",")
    let computed = total ?? {
        // Sum in minor units of a 2-digit currency, for test inputs.
        let cents = items.reduce(0) { acc, item in
            let parts = item.2.split(separator: ".")
            let minor = Int(parts[0])! * 100 + (parts.count > 1 ? Int(parts[1].padding(toLength: 2, withPad: "0", startingAt: 0))! : 0)
            return acc + item.1 * minor
        }
        return "\(cents / 100).\(String(format: "%02d", cents % 100))"
    }()
    let kindText = kind.map { ",\"kind\":\"\($0)\"" } ?? ""
    return "{\"tx_id\":\"\(id)\",\"store_id\":\"\(store)\",\"terminal_id\":\"t1\",\"event_time\":\(time)\(kindText),"
        + "\"currency\":\"\(currency)\",\"items\":[\(itemText)],\"total\":\"\(computed)\"}"
}

/// 2026-11-21T00:00:00Z, a window boundary for every window size used here.
let T0: Int64 = 1_795_219_200_000
