import Operators

/// Sums validated transactions into a store's window.
public struct TurnoverAggregator: WindowAggregator {
    public init() {}
    public func makeAccumulator() -> TurnoverTotals { TurnoverTotals() }
    public func add(_ tx: Transaction, to totals: inout TurnoverTotals) { totals.add(tx) }
    public func result(of totals: TurnoverTotals) -> TurnoverTotals { totals }
}

/// A store row as the window emits it.
public typealias StoreTurnover = WindowResult<TurnoverKey, TurnoverTotals>
