/// The progress of an operator with several inputs that stem from one source (see
/// `InputOrder`): complete up to the least advanced input.
///
/// An input that has reported no progress yet holds the frontier back entirely (it is
/// `nil`); a finished input holds back nothing. Operators that join paths (`union`,
/// `mergeInInputOrder`) keep one and forward `combined` rather than each working out
/// the minimum by hand.
public struct ProgressFrontier: Sendable, Hashable {
    public private(set) var inputs: [InputOrder?]

    public init(inputs: Int) {
        self.inputs = Array(repeating: nil, count: inputs)
    }

    /// Input `input` has delivered everything before `progress` (a batch without
    /// progress changes nothing).
    public mutating func advance(_ input: Int, to progress: InputOrder?) {
        if let progress { inputs[input] = progress }
    }

    /// Input `input` has finished.
    public mutating func finish(_ input: Int) { inputs[input] = .end }

    /// Everything before this has been delivered on every input.
    public var combined: InputOrder? {
        var least = InputOrder.end
        for p in inputs {
            guard let p else { return nil }
            least = min(least, p)
        }
        return least
    }
}

extension ProgressFrontier: StateCodable {
    public func encode(to writer: inout StateWriter) {
        writer.write(UInt32(inputs.count))
        for p in inputs { p.encode(to: &writer) }
    }

    public static func decode(from reader: inout StateReader) throws -> ProgressFrontier {
        var frontier = ProgressFrontier(inputs: Int(try reader.readUInt32()))
        for i in frontier.inputs.indices { frontier.inputs[i] = try InputOrder?.decode(from: &reader) }
        return frontier
    }
}
