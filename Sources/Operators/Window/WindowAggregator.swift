import Dataflow

/// Folds a window's records into an accumulator, one record at a time.
///
/// The accumulator is keyed state (it lives in the state backend between records), so it
/// has a stable binary form; the result is what the window emits.
public protocol WindowAggregator: Sendable {
    associatedtype Input
    associatedtype Accumulator: StateCodable
    associatedtype Result

    func makeAccumulator() -> Accumulator
    func add(_ input: Input, to accumulator: inout Accumulator)
    func result(of accumulator: Accumulator) -> Result
}
