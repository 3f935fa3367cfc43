import Logging
import Prometheus
import ServiceLifecycle

/// `/metrics`, `/health` and, given a readiness, `/ready` (and given a status board,
/// the status page) (`NodeHTTP`) served beside
/// work that is not a service of a group, such as the worker's loop on the main thread:
/// started at once, stopped gracefully (requests in flight answered) by `stop()`.
public final class MetricsEndpoint: Sendable {
    let group: ServiceGroup
    let task: Task<Void, any Error>

    public init(at address: ListenAddress, registry: PrometheusCollectorRegistry, readiness: (any Readiness)? = nil,
                token: HTTPToken?, status: StatusBoard? = nil, logger: Logger) {
        var groupLogger = logger
        groupLogger.logLevel = .warning
        let application = NodeHTTP.application(at: address, ingest: nil, readiness: readiness, registry: registry, token: token,
                                               status: status, logger: logger)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [.init(service: application)], logger: groupLogger))
        self.group = group
        task = Task { try await group.run() }
    }

    public func stop() async {
        await group.triggerGracefulShutdown()
        _ = await task.result
    }
}
