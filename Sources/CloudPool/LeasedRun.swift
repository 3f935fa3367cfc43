import Foundation
import NIOConcurrencyHelpers

/// A part of a cloud job run by the worker that holds its lease: a partition
/// (`PartitionRun`) or the job's global rollups (`GlobalRollupRun`). It runs on a
/// thread of its own until asked to stop, or until its lease may have lapsed.
public protocol LeasedRun: AnyObject, Sendable {
    /// Runs until asked to stop or the lease may have lapsed; returns how it stopped.
    func run() throws -> RunStop
    /// `release`: a last checkpoint first (a worker leaving, or handing the part to a
    /// newcomer); `abandon`: at once (the lease is lost: another may own it already).
    func requestStop(_ how: RunStop)
}

public enum RunStop: Sendable { case release, abandon }

/// How a leased run is asked to stop and woken from its wait for messages.
final class StopControl: Sendable {
    private let requested = NIOLockedValueBox<RunStop?>(nil)
    let wake = DispatchSemaphore(value: 0)

    func request(_ how: RunStop) {
        requested.withLockedValue { current in
            if current != .abandon { current = how }
        }
        wake.signal()
    }

    var current: RunStop? { requested.withLockedValue { $0 } }

    /// Waits for a message's arrival (or a stop), at most 20 ms.
    func pause() { _ = wake.wait(timeout: .now() + .milliseconds(20)) }
}
