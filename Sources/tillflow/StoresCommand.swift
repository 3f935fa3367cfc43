import ArgumentParser
import CloudPool
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
        subcommands: [Add.self, Remove.self, List.self, Accounts.self])

    /// The source of store `name`'s `TILLFLOW_IN`, through its domain's API: its own
    /// location's subjects and location `_`'s (lines without a valid location), nothing
    /// else. The filter is the hub's, out of the store's reach: a store's box, stolen or
    /// misconfigured, cannot bring another location's records into the cloud, whatever
    /// it stores in its own stream. Its messages come on `tillflow.sync.<store>.>`, the
    /// subjects a store's account exports when each store has one (`HubAccounts`).
    static func source(_ name: String) -> [String: Any] {
        ["name": "TILLFLOW_IN", "external": ["api": "$JS.\(name).API", "deliver": "tillflow.sync.\(name)"],
         "subject_transforms": [["src": "tillflow.in.\(name).>", "dest": ""], ["src": "tillflow.in._.>", "dest": ""]]]
    }

    /// Whether a source (as the API writes it) is the store `name`'s.
    static func isSource(_ source: [String: Any], of name: String) -> Bool {
        SourcingWatch.store(ofAPI: (source["external"] as? [String: Any])?["api"] as? String) == name
    }

    /// A store's name, as `add` and `remove` take it.
    struct StoreName: ParsableArguments {
        @Argument(help: "The store: its leaf node's JetStream domain.") var name: String

        func validate() throws {
            guard RecordLocation.isSubjectToken(name.utf8) else {
                throw ValidationError("a store's name must be a subject token ([A-Za-z0-9_-]{1,64}), not '\(name)'")
            }
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Source the store NAME's TILLFLOW_IN into the hub's.")
        @OptionGroup var store: StoreName
        @OptionGroup var connection: NATSConnectionArguments

        func run() throws {
            let name = store.name
            let answer = try withJetStream(connection) { js in
                try await TillflowStreams.ensure(js)
                var sources = try await js.sources(of: "TILLFLOW_IN")
                if let existing = sources.firstIndex(where: { StoresCommand.isSource($0, of: name) }) {
                    let deliver = (sources[existing]["external"] as? [String: Any])?["deliver"] as? String
                    guard sources[existing]["subject_transforms"] == nil || deliver != "tillflow.sync.\(name)" else {
                        return "stores add: \(name) is sourced already; nothing changed"
                    }
                    // Sourced by an earlier build (whole, or delivered on an inbox): from
                    // now on its own subjects only, on the subjects its account exports.
                    sources[existing] = StoresCommand.source(name)
                    try await js.setSources(of: "TILLFLOW_IN", sources)
                    return "stores add: \(name) was sourced by an earlier build; now its own subjects and _ only, on tillflow.sync.\(name)"
                }
                sources.append(StoresCommand.source(name))
                try await js.setSources(of: "TILLFLOW_IN", sources)
                return "stores add: the hub's TILLFLOW_IN now sources \(name)'s (through $JS.\(name).API)"
            }
            print(answer)
        }
    }

    struct Accounts: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the hub's accounts with one per store (a stolen box reaches only its own records).",
            discussion: """
                Writes an `accounts` block for the hub's configuration (docs/SECURITY.md): the hub's account, \
                with JetStream and the role users of --role-users, imports each store's JetStream API, sourcing \
                deliveries and flow control; each store's account has the store's leaf user, whose password \
                nats-server reads from TILLFLOW_LEAF_PASSWORD_<STORE>. Include it after hub.conf instead of \
                hub-users.conf, and give each store's leaf node its user in TILLFLOW_HUB_LEAF_URL.
                """)
        @Argument(help: "Every store, by name.") var stores: [String]
        @Option(help: "The file of the hub's role users, included into its account.") var roleUsers = "hub-role-users.conf"

        func validate() throws {
            guard !stores.isEmpty else { throw ValidationError("give at least one store") }
            for name in stores where !RecordLocation.isSubjectToken(name.utf8) {
                throw ValidationError("a store's name must be a subject token ([A-Za-z0-9_-]{1,64}), not '\(name)'")
            }
            let repeated = Dictionary(grouping: stores, by: { $0 }).filter { $0.value.count > 1 }.keys.sorted()
            guard repeated.isEmpty else { throw ValidationError("store \(repeated.joined(separator: ", ")) given twice") }
            let variables = Dictionary(grouping: stores, by: HubAccounts.passwordVariable).filter { $0.value.count > 1 }
            if let clash = variables.min(by: { $0.key < $1.key }) {
                throw ValidationError("stores \(clash.value.joined(separator: " and ")) would share the password variable \(clash.key)")
            }
        }

        func run() throws {
            print(HubAccounts(stores: stores, roleUsers: roleUsers).configuration, terminator: "")
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop sourcing the store NAME's TILLFLOW_IN.")
        @OptionGroup var store: StoreName
        @OptionGroup var connection: NATSConnectionArguments

        func run() throws {
            let name = store.name
            let answer = try withJetStream(connection) { js in
                let sources = try await js.sources(of: "TILLFLOW_IN")
                let kept = sources.filter { !StoresCommand.isSource($0, of: name) }
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
                    guard let store = SourcingWatch.store(ofAPI: source.external?.api) else { return nil }
                    let heard = source.active < 0 ? "never heard from" : String(format: "last heard %.1f s ago", Double(source.active) / 1e9)
                    return "\(store)  lag \(source.lag) messages, \(heard)"
                }
                return lines.isEmpty ? ["no stores sourced"] : lines.sorted()
            }
            lines.forEach { print($0) }
        }
    }
}
