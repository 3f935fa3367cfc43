import Testing
import Dataflow
@testable import Generators
@testable import Jobs

/// `tillflow simulate`'s traffic: what each kind of line is, judged by the job's own decoder.
@Suite struct LiveTransactionMakerTests {
    private func make(_ count: Int, now: Int64 = 1_800_000_000_000) -> [(LiveTransactionMaker.Kind, [UInt8])] {
        var maker = LiveTransactionMaker(stores: 4, seed: 7, start: now - 60_000, lateFraction: 0.05,
                                         duplicateFraction: 0.05, invalidFraction: 0.05)
        return (0 ..< count).map { i in
            var line: [UInt8] = []
            let kind = maker.appendLine(now: now + Int64(i), to: &line)
            return (kind, line)
        }
    }

    @Test func validAndLateLinesDecodeAndOnlyLateOnesAreOverTwoSecondsBehindNow() throws {
        let now: Int64 = 1_800_000_000_000
        for (i, (kind, line)) in make(2000, now: now).enumerated() where kind == .valid || kind == .late {
            let transaction = try decodeJSON(bytes: line).get()
            let behind = now + Int64(i) - transaction.eventTime
            if kind == .valid { #expect((0 ... 1_500).contains(behind)) } else { #expect((5_000 ... 600_000).contains(behind)) }
        }
    }

    @Test func invalidLinesAreRejectedAndDuplicatesRepeatARecentValidLine() {
        var valid: [[UInt8]] = []
        for (kind, line) in make(2000) {
            switch kind {
            case .invalid:
                if case .success = decodeJSON(bytes: line) { Issue.record("an invalid line decoded: \(String(decoding: line, as: UTF8.self))") }
                #expect(line.count < 1 << 20)
            case .duplicate: #expect(valid.suffix(10).contains(line))
            case .valid: valid.append(line)
            case .late: break
            }
        }
    }

    @Test func eachKindComesAtAboutItsFraction() {
        let kinds = make(20_000).map(\.0)
        for kind in [LiveTransactionMaker.Kind.late, .duplicate, .invalid] {
            #expect((800 ... 1200).contains(kinds.filter { $0 == kind }.count), "\(kind)")
        }
    }
}
