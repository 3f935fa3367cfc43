/// What `GET /ready` asks of a process: `nil` when it is ready for work, or why not.
public protocol Readiness: Sendable {
    var notReadyBecause: String? { get }
}

extension NodeReadiness: Readiness {}
