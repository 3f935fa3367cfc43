import Foundation

/// Runs `work` (an asynchronous call of the NATS client) and waits for it on the calling
/// thread: for the job's spine thread, whose sources and sinks are synchronous. Never
/// to be called on a thread of Swift's cooperative pool, which `work` needs.
public func blockingWait<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) throws -> T {
    let done = DispatchSemaphore(value: 0)
    nonisolated(unsafe) var result: Result<T, any Error>?
    Task {
        do { result = .success(try await work()) } catch { result = .failure(error) }
        done.signal()
    }
    done.wait()
    return try result!.get()
}
