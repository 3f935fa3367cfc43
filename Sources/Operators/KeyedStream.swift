import Dataflow

/// A stream whose records are partitioned by a key: what stateful operators take.
///
/// The key function must be deterministic; the key's state-codec bytes decide its key group.
public struct KeyedStream<Key: StateKey, Record> {
    public let stream: Stream<Record>
    public let keyOf: (Record) -> Key

    public init(stream: Stream<Record>, keyOf: @escaping (Record) -> Key) {
        self.stream = stream
        self.keyOf = keyOf
    }
}

extension Stream {
    public func keyBy<K: StateKey>(_ keyOf: @escaping (Record) -> K) -> KeyedStream<K, Record> {
        KeyedStream(stream: self, keyOf: keyOf)
    }
}
