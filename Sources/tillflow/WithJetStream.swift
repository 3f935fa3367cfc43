import Connectors
import NATS

/// Connects with the command's connection options, does `work` and closes the
/// connection, whatever `work` does: what the short commands that talk to the pool share.
func withJetStream<T: Sendable>(_ connection: NATSConnectionArguments,
                                _ work: @escaping @Sendable (JetStream) async throws -> T) throws -> T {
    try blockingWait {
        let nc = try await NATSConnection.connect(try connection.options())
        do {
            let result = try await work(connection.jetStream(nc))
            await nc.close()
            return result
        } catch {
            await nc.close()
            throw error
        }
    }
}
