import Jobs
/// When the generated transactions happen: line `i` of `count` gets a base event time,
/// non-decreasing in `i`, spread over `[start, start + span)` with the shape of a
/// shopping day (quiet nights, a lunch peak and a larger late-afternoon one, by the UTC
/// hour of day).
///
/// Base times never decrease, so jittering each one back by at most 1.5 s keeps every
/// record within the 2 s out-of-orderness bound of the largest event time before it.
struct TrafficSchedule {
    /// Relative traffic per hour of day, 00:00 to 23:00.
    static let hourlyWeights: [Double] = [
        0.02, 0.01, 0.01, 0.01, 0.01, 0.02, 0.05, 0.25, 0.55, 0.75, 0.90, 1.00,
        1.10, 1.00, 0.90, 0.85, 0.95, 1.10, 1.15, 1.00, 0.75, 0.45, 0.20, 0.06,
    ]

    private let start: Int64
    private let span: Int64
    private let count: Int
    /// `cumulative[j]` is the share of the traffic before segment `j` of the span;
    /// `cumulative.last == 1`.
    private let cumulative: [Double]
    private var segment = 0

    init(start: Int64, span: Int64, count: Int) {
        self.start = start
        self.span = span
        self.count = count
        let segments = Int(min(span, 4096))
        var cumulative = [0.0]
        cumulative.reserveCapacity(segments + 1)
        var total = 0.0
        for j in 0 ..< segments {
            let middle = start + Int64((Double(j) + 0.5) * Double(span) / Double(segments))
            var msOfDay = middle % 86_400_000
            if msOfDay < 0 { msOfDay += 86_400_000 }
            total += Self.hourlyWeights[Int(msOfDay / 3_600_000)]
            cumulative.append(total)
        }
        self.cumulative = cumulative.map { $0 / total }
    }

    /// The base event time of line `index`; calls must come with non-decreasing `index`.
    mutating func baseTime(of index: Int) -> Int64 {
        let q = (Double(index) + 0.5) / Double(count)
        let segments = cumulative.count - 1
        while segment < segments - 1 && cumulative[segment + 1] <= q { segment += 1 }
        let low = cumulative[segment]
        let high = cumulative[segment + 1]
        let within = high > low ? min(1, max(0, (q - low) / (high - low))) : 0
        let offset = Int64((Double(segment) + within) * Double(span) / Double(segments))
        return start + min(span - 1, offset)
    }
}
