import Foundation

/// Inventory event lines in the input format of spec section 5.
enum Inv {
    static func stockSet(_ id: String, _ location: String, _ sku: String, _ qty: Int, at t: Int64) -> String {
        "{\"type\":\"stock_set\",\"event_id\":\"\(id)\",\"location\":\"\(location)\",\"sku\":\"\(sku)\",\"qty\":\(qty),\"event_time\":\(t)}"
    }

    static func adjust(_ id: String, _ location: String, _ sku: String, _ delta: Int, at t: Int64) -> String {
        "{\"type\":\"stock_adjust\",\"event_id\":\"\(id)\",\"location\":\"\(location)\",\"sku\":\"\(sku)\",\"delta\":\(delta),\"event_time\":\(t)}"
    }

    static func reserve(_ id: String, _ location: String, _ lines: [(String, Int)], ttl: Int? = nil, at t: Int64) -> String {
        let l = lines.map { "{\"sku\":\"\($0.0)\",\"qty\":\($0.1)}" }.joined(separator: ",")
        let ttlText = ttl.map { ",\"ttl_ms\":\($0)" } ?? ""
        return "{\"type\":\"reserve\",\"reservation_id\":\"\(id)\",\"order_id\":\"o-\(id)\",\"location\":\"\(location)\",\"lines\":[\(l)]\(ttlText),\"event_time\":\(t)}"
    }

    static func commit(_ id: String, _ location: String, at t: Int64) -> String {
        "{\"type\":\"commit\",\"reservation_id\":\"\(id)\",\"location\":\"\(location)\",\"event_time\":\(t)}"
    }

    static func release(_ id: String, _ location: String, at t: Int64) -> String {
        "{\"type\":\"release\",\"reservation_id\":\"\(id)\",\"location\":\"\(location)\",\"event_time\":\(t)}"
    }
}

extension Outputs {
    var decisions: [[String: Any]] { objects("decisions.jsonl") }
    var alerts: [[String: Any]] { objects("alerts.jsonl") }
    var availability: [[String: Any]] { objects("availability.jsonl") }

    /// Decisions as "id decision[/reason] time [sku:qty:available ...]".
    var decisionSummaries: [String] {
        decisions.map { d in
            var s = "\(d["reservation_id"]!) \(d["decision"]!)"
            if let r = d["reason"] { s += "/\(r)" }
            s += " \(d["event_time"]!)"
            if let lines = d["lines"] as? [[String: Any]] {
                s += " " + lines.map { "\($0["sku"]!):\($0["qty"]!):\(($0["available_after"] ?? $0["available"])!)" }.joined(separator: " ")
            }
            return s
        }
    }

    var alertSummaries: [String] {
        alerts.map { "\($0["alert"]!) \($0["location"]!) \($0["sku"]!) \($0["available"]!) \($0["event_time"]!)" }
    }

    var availabilitySummaries: [String] {
        availability.map { "\($0["sku"]!) \($0["available"]!) \($0["locations"]!) \($0["event_time"]!)" }
    }
}
