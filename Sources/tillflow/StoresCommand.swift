import ArgumentParser
import Connectors
import Foundation
import Jobs
import NATS

/// `tillflow stores add|remove|list [NAME] --nats HUB` (live.md section 3): the hub's
/// `TILLFLOW_IN` sources each store's `TILLFLOW_IN` through the store's leaf node, whose
/// JetStream domain is the store's name; the hub's own publishes go into it too.
struct StoresCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stores", abstract: "On the hub: source the stores' TILLFLOW_IN streams through their leaf nodes.",
        subcommands: [Add.self, Remove.self, List.self])

    /// The source of store `name`'s `TILLFLOW_IN`, through its domain's API.
    static func source(_ name: String) -> [String: Any] {
        ["name": "TILLFLOW_IN", "external": ["api": "$JS.\(name).API", "deliver": ""]]
    }

    /// The store a source comes from: the domain of its API (`$JS.<store>.API`).
    static func store(ofAPI api: String?) -> String? {
        guard let api, api.hasPrefix("$JS."), api.hasSuffix(".API") else { return nil }
        return String(api.dropFirst(4).dropLast(4))
    }

    static func validate(_ name: String) throws {
        guard RecordLocation.isSubjectToken(name.utf8) else {
            throw ValidationError("a store's name must be a subject token ([A-Za-z0-9_-]{1,64}), not '\(name)'")
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Source the store NAME's TILLFLOW_IN into the hub's.")
        @Argument(help: "The store: its leaf node's JetStream domain.") var name: String
        @OptionGroup var connection: NATSConnectionArguments
        func validate() throws { try StoresCommand.validate(name) }

        func run() throws {
            let answer = try withJetStream(connection) { [name] js in
                try await TillflowStreams.ensure(js)
                var sources = try await js.sources(of: "TILLFLOW_IN")
                if sources.contains(where: { StoresCommand.store(ofAPI: ($0["external"] as? [String: Any])?["api"] as? String) == name }) {
                    return "stores add: \(name) is sourced already; nothing changed"
                }
                sources.append(StoresCommand.source(name))
                try await js.setSources(of: "TILLFLOW_IN", sources)
                return "stores add: the hub's TILLFLOW_IN now sources \(name)'s (through $JS.\(name).API)"
            }
            print(answer)
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop sourcing the store NAME's TILLFLOW_IN.")
        @Argument(help: "The store.") var name: String
        @OptionGroup var connection: NATSConnectionArguments
        func validate() throws { try StoresCommand.validate(name) }

        func run() throws {
            let answer = try withJetStream(connection) { [name] js in
                let sources = try await js.sources(of: "TILLFLOW_IN")
                let kept = sources.filter { StoresCommand.store(ofAPI: ($0["external"] as? [String: Any])?["api"] as? String) != name }
                guard kept.count < sources.count else { throw ValidationError("the hub does not source a store named \(name)") }
                try await js.setSources(of: "TILLFLOW_IN", kept)
                return "stores remove: \(name) is no longer sourced; what came from it stays in the hub's TILLFLOW_IN"
            }
            print(answer)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Each store sourced, with its sourcing lag.")
        @OptionGroup var connection: NATSConnectionArguments

        func run() throws {
            let lines = try withJetStream(connection) { js in
                let info = try await js.streamInfo("TILLFLOW_IN")
                let lines = (info.sources ?? []).compactMap { source -> String? in
                    guard let store = StoresCommand.store(ofAPI: source.external?.api) else { return nil }
                    let heard = source.active < 0 ? "never heard from" : String(format: "last heard %.1f s ago", Double(source.active) / 1e9)
                    return "\(store)  lag \(source.lag) messages, \(heard)"
                }
                return lines.isEmpty ? ["no stores sourced"] : lines.sorted()
            }
            lines.forEach { print($0) }
        }
    }
}
