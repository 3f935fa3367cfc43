import Dataflow
import Jobs

extension PartStatus {
    /// A retail job's part from its locations' statistics (one on an edge node, a
    /// partition's many in the pool), summed: the stages of the job's graph with the
    /// records each passed on, the dead letters by reason, and each location's watermark.
    public init(job: String, part: String, kind: JobKind, locations: [(name: String, statistics: RetailStatistics)],
                outputs: [Count], inputLagMessages: Int64, lastCheckpoint: CheckpointFigure?) {
        func sum(_ figure: (RetailStatistics) -> Int64) -> Int64 { locations.reduce(0) { $0 + figure($1.statistics) } }
        var stages = [StageCount("source", after: nil, records: sum(\.recordsRead))]
        if kind != .inventory {
            stages.append(StageCount("validate + dedup", after: "source", records: sum(\.valid)))
        }
        if kind.includesTurnover {
            stages.append(StageCount("turnover windows", after: "validate + dedup", records: sum { $0.windowsFired + $0.windowRevisions }))
            stages.append(StageCount("store rollup", after: "turnover windows", records: sum(\.rollupRows)))
            stages.append(StageCount("late", after: "turnover windows", records: sum(\.late)))
        }
        if kind.includesInventory {
            stages.append(StageCount("inventory events", after: "source", records: sum(\.inventoryEvents)))
            stages.append(StageCount("reservations", after: "inventory events",
                                     records: sum { $0.decisionsByOutcome.values.reduce(0, +) }))
            stages.append(StageCount("availability", after: "reservations", records: sum(\.availabilityRows)))
            stages.append(StageCount("alerts", after: "reservations", records: sum(\.alerts)))
        }
        var reasons: [RejectReason: Int64] = [:]
        for location in locations { reasons.merge(location.statistics.invalidByReason, uniquingKeysWith: +) }
        let deadLetters = RejectReason.allCases.compactMap { reason in reasons[reason].map { Count(reason.rawValue, $0) } }
        let clocks = locations.map { location in
            let mark = location.statistics.validationWatermark
            return LocationClock(location.name, watermarkMs: mark == .initial ? nil : mark.time)
        }
        self.init(job: job, part: part, stages: stages, outputs: outputs, deadLetters: deadLetters, locations: clocks,
                  inputLagMessages: inputLagMessages, lastCheckpoint: lastCheckpoint)
    }
}
