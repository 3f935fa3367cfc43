import Foundation
import LiveNode
import Testing

/// The operations files agree with each other and with the code: every metric the code
/// makes has help text and a row in docs/OPERATIONS.md; the alerting rules are valid,
/// pass their unit tests and use only metrics that exist; so does the dashboard.
@Suite struct OperationsFilesTests {
    let root = LiveFixture.root

    func text(_ path: String) throws -> String { try String(contentsOfFile: root + "/" + path, encoding: .utf8) }

    /// The `tillflow_…` names in `text`, histogram series folded into their metric.
    func metricNames(in text: String) -> Set<String> {
        let pattern = try! NSRegularExpression(pattern: "tillflow_[a-z_]+")
        let names = pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)).map { String(text[Range($0.range, in: text)!]) }
        return Set(names.map { name in
            for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) { return String(name.dropLast(suffix.count)) }
            return name
        })
    }

    @Test func theAlertingRulesAreValidAndPassTheirUnitTests() throws {
        let checked = try Promtool.run(["check", "rules", "alerts.yml"], in: root + "/deploy/prometheus")
        #expect(checked.status == 0, "\(checked.output)")
        let tested = try Promtool.run(["test", "rules", "alerts-test.yml"], in: root + "/deploy/prometheus")
        #expect(tested.status == 0 && tested.output.contains("SUCCESS"), "\(tested.output)")
    }

    @Test func everyMetricOfTheCodeHasHelpTextAndARowInTheOperationsDocument() throws {
        var inCode = Set<String>()
        let sources = FileManager.default.enumerator(atPath: root + "/Sources")!
        while let file = sources.nextObject() as? String {
            guard file.hasSuffix(".swift"), !file.hasSuffix("MetricCatalog.swift") else { continue }
            let source = try text("Sources/" + file)
            let pattern = try NSRegularExpression(pattern: #"label: "(tillflow_[a-z_]+)""#)
            for match in pattern.matches(in: source, range: NSRange(source.startIndex..., in: source)) {
                inCode.insert(String(source[Range(match.range(at: 1), in: source)!]))
            }
        }
        #expect(inCode.count >= 15)
        #expect(inCode == Set(MetricCatalog.help.keys), "code vs MetricCatalog")
        #expect(MetricCatalog.help.values.allSatisfy { !$0.isEmpty })
        let rows = try text("docs/OPERATIONS.md").split(separator: "\n").filter { $0.hasPrefix("| `tillflow_") }
        #expect(metricNames(in: rows.joined(separator: "\n")) == inCode, "code vs docs/OPERATIONS.md's table")
    }

    @Test func theAlertsAndTheDashboardUseOnlyMetricsThatExist() throws {
        let known = Set(MetricCatalog.help.keys)
        let alerts = try text("deploy/prometheus/alerts.yml")
        #expect(metricNames(in: alerts).subtracting(known).isEmpty, "\(metricNames(in: alerts).subtracting(known))")
        let operations = try text("docs/OPERATIONS.md")
        let alertNames = alerts.split(separator: "\n").compactMap { line -> String? in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            return trimmed.hasPrefix("- alert: ") ? String(trimmed.dropFirst("- alert: ".count)) : nil
        }
        #expect(alertNames.count >= 8)
        for name in alertNames { #expect(operations.contains("| \(name) ("), "\(name) is explained in docs/OPERATIONS.md") }

        let data = try Data(contentsOf: URL(fileURLWithPath: root + "/deploy/grafana/tillflow-dashboard.json"))
        let dashboard = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let panels = try #require(dashboard["panels"] as? [[String: Any]]).filter { $0["type"] as? String != "row" }
        #expect(panels.count >= 12)
        var expressions: [String] = []
        for panel in panels {
            let source = panel["datasource"] as? [String: Any]
            #expect(source?["uid"] as? String == "${datasource}", "\(panel["title"] ?? "")")
            let targets = try #require(panel["targets"] as? [[String: Any]])
            expressions += targets.compactMap { $0["expr"] as? String }
        }
        let used = metricNames(in: expressions.joined(separator: "\n"))
        #expect(used.subtracting(known).isEmpty, "\(used.subtracting(known))")
        #expect(used.count >= 12, "the dashboard shows most metrics: \(known.subtracting(used))")
    }
}
