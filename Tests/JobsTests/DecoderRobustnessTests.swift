import Testing
@testable import Jobs

/// Random damage to valid records must never crash the decoder, and must never be
/// accepted as something a valid line would not be.
@Suite("Decoder robustness")
struct DecoderRobustnessTests {
    /// A small deterministic generator (SplitMix64), so the test is the same every run.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test("mutated lines decode to a verdict without crashing")
    func mutations() {
        var rng = SplitMix(state: 42)
        let seeds = [
            Array(Record().line.utf8),
            Array(Record().with("note", #"{"a":[1,2.5e-3,"\ud83d\ude00",null,{"b":true}]}"#).with("tx_id", #""t\u00e9""#).line.utf8),
        ]
        let alphabet = Array(#"{}[]:,"\\/ubfnrt0123456789-+.eE aZ"#.utf8) + [0x00, 0x1F, 0x7F, 0x80, 0xC3, 0xE2, 0xED, 0xF0, 0xFF]
        var accepted = 0
        for _ in 0 ..< 20_000 {
            var bytes = seeds[Int(rng.next() % UInt64(seeds.count))]
            for _ in 0 ..< 1 + Int(rng.next() % 3) {
                let at = Int(rng.next() % UInt64(bytes.count + 1))
                switch rng.next() % 3 {
                case 0: bytes.insert(alphabet[Int(rng.next() % UInt64(alphabet.count))], at: at)
                case 1: if at < bytes.count { bytes.remove(at: at) }
                default: if at < bytes.count { bytes[at] = alphabet[Int(rng.next() % UInt64(alphabet.count))] }
                }
            }
            if case .success(let tx) = decodeJSON(bytes: bytes) {
                accepted += 1
                #expect(TransactionRules.eventTimes.contains(tx.eventTime))
                #expect(!tx.items.isEmpty && tx.items.allSatisfy { TransactionRules.quantity.contains($0.qty) })
                #expect(tx.totalMinor == tx.items.reduce(0) { $0 + $1.qty * $1.unitPriceMinor })
            }
        }
        #expect(accepted > 0)
    }

    @Test("mutated CSV rows decode to a verdict without crashing")
    func csvMutations() throws {
        var rng = SplitMix(state: 7)
        let header = Array("tx_id,store_id,terminal_id,event_time_ms,kind,currency,total_minor,item_count".utf8)
        let layout = try header.withUnsafeBytes { try CSVLayout(header: $0) }
        let seed = Array(#""s1,""x""",store-0042,t03,1795256102120,refund,EUR,1648,3"#.utf8)
        let alphabet = Array(#",""\#r-0123456789aZ "#.utf8) + [0x00, 0x80, 0xC3, 0xFF]
        let decoder = TransactionDecoder(totalMismatch: .correct)
        var accepted = 0
        for _ in 0 ..< 20_000 {
            var bytes = seed
            for _ in 0 ..< 1 + Int(rng.next() % 3) {
                let at = Int(rng.next() % UInt64(bytes.count + 1))
                switch rng.next() % 3 {
                case 0: bytes.insert(alphabet[Int(rng.next() % UInt64(alphabet.count))], at: at)
                case 1: if at < bytes.count { bytes.remove(at: at) }
                default: if at < bytes.count { bytes[at] = alphabet[Int(rng.next() % UInt64(alphabet.count))] }
                }
            }
            if case .success(let tx) = decoder.decodeCSV(origin: origin(bytes), fullLength: bytes.count, layout: layout) {
                accepted += 1
                #expect(tx.items.isEmpty && (tx.itemCount ?? -1) >= 0 && tx.totalMinor >= 0)
            }
        }
        #expect(accepted > 0)
    }
}
