/// A point inside a batch where the watermark moves forward: before the record at
/// `index` (or after the last record when `index == records.count`).
public struct WatermarkMark: Sendable, Hashable {
    public var index: Int
    public var watermark: Watermark

    @inlinable public init(index: Int, watermark: Watermark) {
        self.index = index
        self.watermark = watermark
    }
}

/// The unit of data movement between operators: records in a contiguous array, with
/// the watermark's advances carried in-band between them.
///
/// Spec section 0 judges each record against the watermark as it was just before
/// that record, so a batch may not blur where the watermark moved. Instead of cutting
/// a batch at every advance (most records of ordered input raise it), a batch keeps the
/// advances as sparse marks; an operator replays records and marks in order
/// (`forEachEvent`). What holds: marks are sorted by index, their watermarks strictly increase.
///
/// A batch may also carry `progress` (see `InputOrder`): every record this stream will
/// ever carry that stems from input before it has now been delivered. The runtime
/// stamps it on each source batch from the source's offset, operators forward it, and
/// operators joining paths combine it (`ProgressFrontier`), so that one merging paths of
/// one source (`OrderedMerge`) or a sink restoring input order knows what is complete.
public struct Batch<Record> {
    public var records: [Record]
    public var marks: [WatermarkMark]
    public var progress: InputOrder?

    @inlinable public init() {
        records = []
        marks = []
        progress = nil
    }

    @inlinable public init(records: [Record], marks: [WatermarkMark] = [], progress: InputOrder? = nil) {
        self.records = records
        self.marks = marks
        self.progress = progress
    }

    @inlinable public var isEmpty: Bool { records.isEmpty && marks.isEmpty && progress == nil }

    /// The watermark after the whole batch, if any mark moved it.
    @inlinable public var finalWatermark: Watermark? { marks.last?.watermark }

    @inlinable public mutating func append(_ record: Record) { records.append(record) }

    /// Records that the watermark is now `watermark`, after the records appended so far.
    /// A mark that does not move the watermark forward is ignored.
    @inlinable
    public mutating func advanceWatermark(to watermark: Watermark) {
        if let last = marks.last {
            guard watermark > last.watermark else { return }
            if last.index == records.count {
                marks[marks.count - 1].watermark = watermark
                return
            }
        }
        marks.append(WatermarkMark(index: records.count, watermark: watermark))
    }

    @inlinable
    public mutating func removeAll(keepingCapacity: Bool = true) {
        records.removeAll(keepingCapacity: keepingCapacity)
        marks.removeAll(keepingCapacity: keepingCapacity)
        progress = nil
    }

    /// Visits records and watermark advances in the order they happened.
    @inlinable
    public func forEachEvent(
        record onRecord: (Record) throws -> Void,
        watermark onWatermark: (Watermark) throws -> Void
    ) rethrows {
        var m = 0
        let markCount = marks.count
        for i in records.indices {
            while m < markCount && marks[m].index == i {
                try onWatermark(marks[m].watermark)
                m += 1
            }
            try onRecord(records[i])
        }
        while m < markCount {
            try onWatermark(marks[m].watermark)
            m += 1
        }
    }
}

extension Batch: Sendable where Record: Sendable {}
