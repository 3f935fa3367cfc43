import Foundation
import Logging
import ServiceLifecycle

/// A job's blocking run as a service of a `ServiceGroup`. The run goes on a thread of
/// its own, never on Swift's cooperative pool, whose few threads the NATS client's
/// awaits and the HTTP handlers need; `run()` returns when the job returns. The group's
/// graceful shutdown, or whoever holds the `StopRequest` (a signal's watcher), asks the
/// job to stop at its next batch boundary: it takes a final checkpoint and returns, and
/// a group told to shut down when this service ends then stops the other services. A
/// job that fails fails the service.
public final class JobThreadService: Service, Sendable {
    public let stop: StopRequest
    let name: String
    let body: @Sendable (StopRequest) throws -> Void

    /// - Parameter body: the job's run; it must look at its `StopRequest` between batches.
    public init(name: String, stop: StopRequest = StopRequest(), _ body: @escaping @Sendable (StopRequest) throws -> Void) {
        self.name = name
        self.stop = stop
        self.body = body
    }

    public func run() async throws {
        let stop = self.stop
        let result = await withGracefulShutdownHandler {
            await withCheckedContinuation { (done: CheckedContinuation<Result<Void, any Error>, Never>) in
                let thread = Thread { [body] in done.resume(returning: Result { try body(stop) }) }
                thread.name = name
                thread.stackSize = 8 << 20
                thread.start()
            }
        } onGracefulShutdown: {
            stop.request("shutdown")
        }
        try result.get()
    }
}
