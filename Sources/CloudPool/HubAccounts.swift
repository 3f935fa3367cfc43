/// The hub's accounts when each store has one of its own (`tillflow stores accounts`,
/// docs/SECURITY.md): the nats-server configuration that keeps a stolen store box to its
/// own records.
///
/// A store's leaf node logs in to the hub as the store's user, which binds its leaf
/// connection to the store's account: nothing the box publishes there reaches the hub's
/// account, where `TILLFLOW_IN` and the pool live, except what the store's account
/// exports and the hub's imports: its JetStream domain's API (`$JS.<store>.API.>`,
/// through which the hub sources the store's stream), the delivery subjects of that
/// sourcing (`tillflow.sync.<store>.>`, as `stores add` sets them) and the flow control
/// answers back (`$JS.FC.>`). A box that claims another store's domain or publishes
/// `tillflow.in.>` at the hub reaches nobody; what it sources in is still filtered to
/// its own location's subjects by `stores add`.
///
/// The hub's own users (the roles of `hub-role-users.conf`) go into the hub's account,
/// which has JetStream; each store's leaf password comes from the environment variable
/// `TILLFLOW_LEAF_PASSWORD_<STORE>` (the store's name upper-cased, `-` as `_`).
public struct HubAccounts: Sendable {
    public var stores: [String]
    /// The file holding the hub's role users (`users = [...]`), included into its account.
    public var roleUsers: String

    public init(stores: [String], roleUsers: String = "hub-role-users.conf") {
        self.stores = stores
        self.roleUsers = roleUsers
    }

    /// The environment variable holding store `store`'s leaf password.
    public static func passwordVariable(of store: String) -> String {
        "TILLFLOW_LEAF_PASSWORD_" + store.uppercased().replacingOccurrences(of: "-", with: "_")
    }

    /// The `accounts { ... }` block, to include after the hub's configuration.
    public var configuration: String {
        var text = """
            # The hub's accounts, one per store (`tillflow stores accounts \(stores.joined(separator: " "))`).
            # Include it after hub.conf (or hub-cluster.conf) instead of hub-users.conf.
            accounts {
              TILLFLOW: {
                jetstream: enabled
                include \(roleUsers)
                imports: [

            """
        for store in stores {
            text += """
                      { service: { account: "\(store)", subject: "$JS.\(store).API.>" } }
                      { stream: { account: "\(store)", subject: "tillflow.sync.\(store).>" } }
                      { service: { account: "\(store)", subject: "$JS.FC.>" } }

                """
        }
        text += "    ]\n  }\n"
        for store in stores {
            text += """
                  "\(store)": {
                    users: [ { user: "\(store)", password: $\(Self.passwordVariable(of: store)) } ]
                    exports: [
                      { service: "$JS.\(store).API.>" }
                      { stream: "tillflow.sync.\(store).>" }
                      { service: "$JS.FC.>" }
                    ]
                  }

                """
        }
        return text + "}\n"
    }
}
