import Connectors
import Foundation
import Logging
import NATS
import NIOConcurrencyHelpers

/// Renews a worker's leases on a thread of its own, so that nothing else the worker does
/// (reading the jobs, balancing, the status page's reads, a slow hand-back) delays a
/// renewal: a lease lapses only when the server does not answer in time. Every 20 ms it
/// sends the renewals that are due, all at once, and waits for their answers; a lease
/// found taken (wrong revision) stops its run at once. Runs that have ended are not
/// renewed; the worker deletes their leases.
final class LeaseKeeper: @unchecked Sendable {
    struct Held {
        let run: any LeasedRun
        let lease: NIOLockedValueBox<PartitionLease>
        let ended: NIOLockedValueBox<Result<RunStop, any Error>?>
    }

    let leases: KeyValueBucket
    let workerID: String
    let ttl: Duration
    let nowMs: @Sendable () -> Int64
    let logger: Logger
    private let held = NIOLockedValueBox<[String: Held]>([:])
    private let stopped = NIOLockedValueBox(false)
    private let done = DispatchSemaphore(value: 0)

    init(leases: KeyValueBucket, workerID: String, ttl: Duration, nowMs: @escaping @Sendable () -> Int64, logger: Logger) {
        (self.leases, self.workerID, self.ttl, self.nowMs, self.logger) = (leases, workerID, ttl, nowMs, logger)
    }

    func hold(_ key: String, _ entry: Held) { held.withLockedValue { $0[key] = entry } }
    func release(_ key: String) { held.withLockedValue { $0[key] = nil } }

    func start() {
        let thread = Thread { [self] in
            while !stopped.withLockedValue({ $0 }) {
                renewDue()
                usleep(20_000)
            }
            done.signal()
        }
        thread.name = "tillflow-leases"
        thread.start()
    }

    /// Stops renewing, after the renewals under way.
    func stop() {
        stopped.withLockedValue { $0 = true }
        done.wait()
    }

    func renewDue() {
        let now = nowMs()
        let due = held.withLockedValue { held in
            held.compactMap { key, entry -> (key: String, revision: UInt64)? in
                guard entry.ended.withLockedValue({ $0 }) == nil else { return nil }
                let lease = entry.lease.withLockedValue { $0 }
                return lease.renewalDue(atMs: now) ? (key, lease.revision) : nil
            }
        }
        guard !due.isEmpty else { return }
        let (leases, id, ttl) = (leases, workerID, ttl)
        typealias Answer = (key: String, revision: UInt64?, error: (any Error)?)
        let answers: [Answer] = (try? blockingWait {
            await withTaskGroup(of: Answer.self) { group in
                for lease in due {
                    group.addTask {
                        do {
                            return (lease.key, try await leases.update(lease.key, Array(id.utf8), revision: lease.revision, ttl: ttl), nil)
                        } catch {
                            return (lease.key, nil, error)
                        }
                    }
                }
                var answers: [Answer] = []
                for await answer in group { answers.append(answer) }
                return answers
            }
        }) ?? []
        for answer in answers {
            guard let entry = held.withLockedValue({ $0[answer.key] }) else { continue }
            if let revision = answer.revision {
                entry.lease.withLockedValue { $0.renewed(revision: revision, sentAtMs: now) }
            } else if case KeyValueError.wrongRevision? = answer.error {
                logger.warning("lease lost: partition stopped", metadata: ["lease": "\(answer.key)"])
                entry.run.requestStop(.abandon)
            } else {
                logger.warning("lease not renewed; trying again", metadata: ["lease": "\(answer.key)", "error": "\(answer.error!)"])
            }
        }
    }
}
