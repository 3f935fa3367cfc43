import Foundation
import NATS

/// Keeps the hub's sourcing of the stores' `TILLFLOW_IN` moving after a leaf link comes
/// back. nats-server 2.15 loses the request that restarts a source when the link
/// returns, and tries again only after 24-40 s (toolchain notes, probed); making the
/// stream's sources again restarts it at once, with nothing lost or repeated. So: a
/// store source not heard from for `quietMs` whose store answers through its domain
/// is taken out of the sources and put back, at most once per `quietMs` each.
///
/// The pool runs it on one worker, the first of those alive by id. Taking a source out
/// and back is two updates of the stream's configuration: a `tillflow stores` change
/// made between them by someone else would be undone (the watch reads the sources
/// afresh for the second update, which narrows that to the moment between two requests).
public struct SourcingWatch: Sendable {
    let js: JetStream
    public var quietMs: Int64 = 10_000
    var lastRestartMs: [String: Int64] = [:]

    public init(js: JetStream) { self.js = js }

    /// The store a source comes from: the JetStream domain of its API (`$JS.<store>.API`).
    public static func store(ofAPI api: String?) -> String? {
        guard let api, api.hasPrefix("$JS."), api.hasSuffix(".API") else { return nil }
        return String(api.dropFirst(4).dropLast(4))
    }

    /// One look; returns the stores whose sourcing was restarted.
    public mutating func check(nowMs: Int64) async throws -> [String] {
        guard let info = try? await js.streamInfo("TILLFLOW_IN") else { return [] }
        var restarted: [String] = []
        for source in info.sources ?? [] {
            guard let api = source.external?.api, let store = Self.store(ofAPI: api) else { continue }
            let quiet = source.active < 0 || source.active / 1_000_000 > quietMs
            guard quiet, nowMs - (lastRestartMs[store] ?? .min / 2) >= quietMs else { continue }
            var probe = JetStream(js.connection, domain: store)
            probe.timeout = .seconds(1)
            guard (try? await probe.streamInfo("TILLFLOW_IN")) != nil else { continue }  // the link is still down
            lastRestartMs[store] = nowMs
            let isThisStore: ([String: Any]) -> Bool = { ($0["external"] as? [String: Any])?["api"] as? String == api }
            let sources = try await js.sources(of: "TILLFLOW_IN")
            guard let mine = sources.first(where: isThisStore) else { continue }
            try await js.setSources(of: "TILLFLOW_IN", sources.filter { !isThisStore($0) })
            try await js.setSources(of: "TILLFLOW_IN", try await js.sources(of: "TILLFLOW_IN") + [mine])
            restarted.append(store)
        }
        return restarted
    }
}
