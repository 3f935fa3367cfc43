/// The unit in which keyed state is partitioned, checkpointed and moved between tasks.
///
/// Every key hashes (FNV-1a of its state-codec bytes) into one of `KeyGroup.count`
/// groups; a task owns a contiguous range of groups. Because the number of groups is
/// fixed, a checkpoint taken at one parallelism restores at another: state moves by
/// whole key groups.
public struct KeyGroup: Sendable, Hashable, Comparable {
    public static let count = 4096

    public var index: UInt16

    @inlinable public init(index: UInt16) { self.index = index }

    /// The key group of a key.
    @inlinable
    public init<K: StateKey>(of key: K) {
        var writer = StateWriter()
        self.init(of: key, scratch: &writer)
    }

    /// The key group of a key, encoding it in `scratch` (emptied first): no allocation
    /// once the scratch has grown to the keys' size, for routing every record of a batch.
    @inlinable
    public init<K: StateKey>(of key: K, scratch: inout StateWriter) {
        scratch.bytes.removeAll(keepingCapacity: true)
        key.encode(to: &scratch)
        self = scratch.bytes.withUnsafeBytes { KeyGroup(ofKeyBytes: $0) }
    }

    /// The key group of the key whose state-codec bytes are `bytes`.
    @inlinable
    public init(ofKeyBytes bytes: UnsafeRawBufferPointer) {
        index = UInt16(truncatingIfNeeded: KeyHash.fnv1a(bytes) % UInt64(KeyGroup.count))
    }

    @inlinable public static func < (a: KeyGroup, b: KeyGroup) -> Bool { a.index < b.index }
}

/// A contiguous range of key groups, as owned by one task.
public struct KeyGroupRange: Sendable, Hashable, CustomStringConvertible {
    public var lowerBound: UInt16
    /// Inclusive.
    public var upperBound: UInt16

    public init(_ lowerBound: UInt16, _ upperBound: UInt16) {
        precondition(lowerBound <= upperBound)
        self.lowerBound = lowerBound
        self.upperBound = upperBound
    }

    public static let all = KeyGroupRange(0, UInt16(KeyGroup.count - 1))

    public var description: String { "\(lowerBound)...\(upperBound)" }

    @inlinable public func contains(_ group: KeyGroup) -> Bool {
        group.index >= lowerBound && group.index <= upperBound
    }

    public func overlaps(_ other: KeyGroupRange) -> Bool {
        lowerBound <= other.upperBound && other.lowerBound <= upperBound
    }

    /// The range task `task` of `tasks` owns: groups split as evenly as possible, in order.
    public static func of(task: Int, of tasks: Int) -> KeyGroupRange {
        precondition(tasks > 0 && task >= 0 && task < tasks)
        let lower = task * KeyGroup.count / tasks
        let upper = (task + 1) * KeyGroup.count / tasks - 1
        return KeyGroupRange(UInt16(lower), UInt16(upper))
    }
}
