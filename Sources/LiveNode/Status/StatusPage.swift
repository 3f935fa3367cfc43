import Foundation

/// The status page (`GET /`): one HTML document with its style and charts inline (SVG),
/// no script and nothing fetched from elsewhere, so that it works on a store's network
/// cut off from the internet and in any browser. It shows what `StatusSnapshot` holds:
/// the charts of the last 15 minutes, then each part's job graph with records/s per
/// stage, its locations' watermarks and lag, outputs, dead letters and last checkpoint,
/// then (on a worker) the pool's jobs with their partitions' owners and the stores' sync
/// lag. It refreshes itself every 5 s.
public enum StatusPage {
    public static func html(_ snapshot: StatusSnapshot) -> String {
        let status = snapshot.status
        var page = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="5">
            <title>Tillflow \(escape(status.role)) \(escape(status.name))</title>
            <style>\(style)</style></head><body>
            <header><h1>Tillflow \(escape(status.role)) <span class="name">\(escape(status.name))</span></h1>
            <p><span class="\(status.connected ? "ok" : "bad")">\(status.connected ? "connected to NATS" : "NATS unreachable")</span>
             · \(status.parts.count) running · as of \(JobStatusReport.time(status.atMs))</p></header>

            """
        page += "<section><h2>Last 15 minutes</h2><div class=\"charts\">"
        let samples = snapshot.samples
        page += chart("records in /s", rates(samples, \.recordsIn))
        page += chart("rows out /s", rates(samples, \.rowsOut))
        page += chart("dead letters /s", rates(samples, \.deadLetters))
        page += chart("input lag (messages)", samples.map { ($0.atMs, Double($0.inputLagMessages)) })
        page += chart("watermark lag (s)", samples.compactMap { s in s.watermarkLagSeconds.map { (s.atMs, $0) } })
        page += "</div></section>\n"
        for part in status.parts {
            let key = "\(part.job)/\(part.part)"
            page += partSection(part, rates: snapshot.stageRates[key] ?? [:], recent: snapshot.recentDeadLetters[key] ?? [],
                                atMs: status.atMs)
        }
        if status.parts.isEmpty { page += "<section><h2>Runs</h2><p>nothing runs here now</p></section>\n" }
        for job in status.jobs { page += jobSection(job) }
        if status.role == "worker" { page += storesSection(status.stores) }
        page += "</body></html>\n"
        return page
    }

    static func partSection(_ part: PartStatus, rates: [String: Double], recent: [Count], atMs: Int64) -> String {
        var html = "<section class=\"part\"><h2>job \(escape(part.job)), \(part.part == "edge" ? "edge" : "part " + escape(part.part))</h2>\n"
        html += "<h3>Job graph (records, records/s)</h3>" + graph(part.stages, rates: rates)
        html += "<div class=\"cols\"><div><h3>Locations</h3><table><tr><th>location</th><th>watermark</th><th>lag</th></tr>"
        for location in part.locations {
            let mark = location.watermarkMs
            html += "<tr><td>\(escape(location.location))</td><td>\(mark.map(JobStatusReport.time) ?? "none yet")</td>"
                + "<td class=\"n\">\(mark.map { seconds(atMs - $0) } ?? "")</td></tr>"
        }
        html += "</table><p>input lag: \(part.inputLagMessages) messages</p></div>"
        html += "<div><h3>Outputs</h3><table><tr><th>output</th><th>rows</th></tr>"
        for output in part.outputs { html += "<tr><td>\(escape(output.name))</td><td class=\"n\">\(output.count)</td></tr>" }
        html += "</table></div><div><h3>Dead letters</h3><table><tr><th>reason</th><th>total</th><th>last 15 min</th></tr>"
        let recentByReason = Dictionary(recent.map { ($0.name, $0.count) }, uniquingKeysWith: { a, _ in a })
        for reason in part.deadLetters.sorted(by: { $0.count > $1.count }) {
            html += "<tr><td>\(escape(reason.name))</td><td class=\"n\">\(reason.count)</td>"
                + "<td class=\"n\">\(recentByReason[reason.name] ?? 0)</td></tr>"
        }
        if part.deadLetters.isEmpty { html += "<tr><td colspan=\"3\">none</td></tr>" }
        html += "</table></div><div><h3>Last checkpoint</h3>"
        if let checkpoint = part.lastCheckpoint {
            html += "<p>\(JobStatusReport.time(checkpoint.takenAtMs)) (\(seconds(atMs - checkpoint.takenAtMs)) ago), "
                + "\(checkpoint.bytes) bytes" + (checkpoint.durationMs.map { ", \($0) ms" } ?? "") + "</p>"
        } else {
            html += "<p>none yet</p>"
        }
        return html + "</div></div></section>\n"
    }

    static func jobSection(_ job: JobStatusReport) -> String {
        var html = "<section class=\"job\"><h2>Pool job \(escape(job.name))</h2><p>\(escape(job.job)), \(job.partitionCount) partitions, "
            + "\(job.cancelled ? "cancelled" : "running"); TILLFLOW_IN next sequence \(job.inputNextSequence)</p>"
        html += "<table><tr><th>part</th><th>owner</th><th>reached</th><th>lag</th><th>locations</th><th>watermarks</th><th>last checkpoint</th></tr>"
        for p in job.partitions {
            let watermarks = zip([p.lowWatermarkMs], [p.highWatermarkMs]).compactMap { low, high -> String? in
                guard let low, let high else { return nil }
                return "\(JobStatusReport.time(low)) .. \(JobStatusReport.time(high))"
            }.first ?? ""
            html += "<tr><td>\(p.partition.map(String.init) ?? "global")</td>"
                + (p.owner.map { "<td>\(escape($0))</td>" } ?? "<td class=\"bad\">none</td>")
                + "<td class=\"n\">\(p.reachedSequence.map(String.init) ?? "")</td><td class=\"n\">\(p.lagMessages.map(String.init) ?? "")</td>"
                + "<td class=\"n\">\(p.locations.map(String.init) ?? "")</td><td>\(watermarks)</td>"
                + "<td>\(p.lastCheckpoint.map { "\(JobStatusReport.time($0.takenAtMs)), \($0.bytes) bytes" } ?? "none yet")</td></tr>"
        }
        return html + "</table></section>\n"
    }

    static func storesSection(_ stores: [StoreSync]) -> String {
        var html = "<section class=\"stores\"><h2>Stores' sync to the hub</h2><table><tr><th>store</th><th>lag (messages)</th><th>last heard</th></tr>"
        for store in stores {
            html += "<tr><td>\(escape(store.store))</td><td class=\"n \(store.lagMessages > 0 ? "warn" : "")\">\(store.lagMessages)</td>"
                + "<td>\(store.lastHeardSeconds.map { String(format: "%.1f s ago", $0) } ?? "never")</td></tr>"
        }
        if stores.isEmpty { html += "<tr><td colspan=\"3\">no stores sourced</td></tr>" }
        return html + "</table></section>\n"
    }

    /// The stages as boxes in columns by their distance from the source, each joined to
    /// the stage it reads from.
    static func graph(_ stages: [StageCount], rates: [String: Double]) -> String {
        var depth: [String: Int] = [:]
        var rowsInColumn: [Int: Int] = [:]
        var place: [String: (x: Int, y: Int)] = [:]
        let (width, height, gapX, gapY) = (170, 50, 40, 14)
        for stage in stages {
            let d = stage.after.flatMap { depth[$0].map { $0 + 1 } } ?? 0
            depth[stage.name] = d
            let row = rowsInColumn[d, default: 0]
            rowsInColumn[d] = row + 1
            place[stage.name] = (8 + d * (width + gapX), 8 + row * (height + gapY))
        }
        let columns = (depth.values.max() ?? 0) + 1
        let rows = rowsInColumn.values.max() ?? 1
        var svg = "<svg class=\"graph\" role=\"img\" aria-label=\"job graph\" width=\"\(16 + columns * (width + gapX))\" "
            + "height=\"\(16 + rows * (height + gapY))\" xmlns=\"http://www.w3.org/2000/svg\">"
        for stage in stages {
            guard let after = stage.after, let from = place[after], let to = place[stage.name] else { continue }
            svg += "<line x1=\"\(from.x + width)\" y1=\"\(from.y + height / 2)\" x2=\"\(to.x)\" y2=\"\(to.y + height / 2)\" class=\"edge\"/>"
        }
        for stage in stages {
            let at = place[stage.name]!
            let rate = rates[stage.name].map { String(format: "%.0f/s", $0) } ?? "–/s"
            svg += "<g class=\"stage\"><rect x=\"\(at.x)\" y=\"\(at.y)\" width=\"\(width)\" height=\"\(height)\" rx=\"6\"/>"
                + "<text x=\"\(at.x + 8)\" y=\"\(at.y + 19)\" class=\"stage-name\">\(escape(stage.name))</text>"
                + "<text x=\"\(at.x + 8)\" y=\"\(at.y + 39)\">\(stage.records) · \(rate)</text></g>"
        }
        return svg + "</svg>\n"
    }

    /// A small line chart of `points` (time, value), with its latest and greatest values.
    static func chart(_ title: String, _ points: [(Int64, Double)]) -> String {
        let (width, height) = (280.0, 70.0)
        var html = "<figure class=\"chart\"><figcaption>\(escape(title)): "
        guard let first = points.first, let last = points.last, points.count > 1 else {
            return html + (points.last.map { number($0.1) } ?? "no data yet") + "</figcaption></figure>"
        }
        let top = max(points.map(\.1).max() ?? 0, 1e-9)
        let span = Double(max(1, last.0 - first.0))
        let coordinates = points.map { point in
            String(format: "%.1f,%.1f", Double(point.0 - first.0) / span * width, height - point.1 / top * (height - 4))
        }.joined(separator: " ")
        html += "\(number(last.1)) (max \(number(top)))</figcaption>"
        html += "<svg width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" xmlns=\"http://www.w3.org/2000/svg\">"
            + "<polyline points=\"\(coordinates)\"/></svg></figure>"
        return html
    }

    /// Per-second rates of a total between consecutive samples.
    static func rates(_ samples: [StatusSample], _ total: KeyPath<StatusSample, Int64>) -> [(Int64, Double)] {
        zip(samples, samples.dropFirst()).map { a, b in
            (b.atMs, Double(max(0, b[keyPath: total] - a[keyPath: total])) / (Double(max(1, b.atMs - a.atMs)) / 1_000))
        }
    }

    static func number(_ value: Double) -> String {
        value >= 100 || value == value.rounded() ? String(format: "%.0f", value) : String(format: "%.2f", value)
    }

    static func seconds(_ ms: Int64) -> String { String(format: "%.1f s", Double(ms) / 1_000) }

    /// Text made safe for HTML content and attribute values.
    public static func escape(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }

    static let style = """
        body{font:14px system-ui,sans-serif;margin:1.5em;color:#222;background:#fafafa}
        h1{font-size:1.4em;margin:0}.name{color:#2a6}h2{font-size:1.15em;margin:.2em 0 .5em}h3{font-size:1em;margin:.6em 0 .3em}
        section{background:#fff;border:1px solid #ddd;border-radius:6px;padding:.8em 1em;margin:1em 0}
        table{border-collapse:collapse}td,th{padding:2px 10px;border-bottom:1px solid #eee;text-align:left}td.n{text-align:right}
        .ok{color:#2a6}.bad{color:#c33}.warn{color:#c80}.cols{display:flex;flex-wrap:wrap;gap:2em}
        .charts{display:flex;flex-wrap:wrap;gap:1em}.chart{margin:0}.chart figcaption{font-size:.9em;color:#555}
        .chart svg{background:#f4f8fb;border:1px solid #dde}.chart polyline{fill:none;stroke:#37a;stroke-width:1.5}
        .graph rect{fill:#eef5ee;stroke:#5a5}.graph .edge{stroke:#888;stroke-width:1.5}.graph text{font-size:12px}
        .graph .stage-name{font-weight:600}
        """
}
