import Jobs

/// POS lines in JSON (records.md section 1), whatever the bytes: every line is a
/// transaction that keeps the spec's rules, or a rejection with a reason of the spec's
/// list and a detail; none is lost, nothing crashes.
public enum TransactionJSONProperty {
    public static func check(_ bytes: UnsafeRawBufferPointer) {
        let decoder = TransactionDecoder(totalMismatch: bytes.first.map { $0 & 1 == 0 } == true ? .correct : .reject)
        var verdicts = 0
        let lines = RecordLines.of(bytes)
        for (index, line) in lines.enumerated() {
            switch decoder.decodeJSON(origin: RecordLines.origin(line, index: index), fullLength: line.count) {
            case .success(let transaction): TransactionInvariants.hold(for: transaction)
            case .failure(let rejection): precondition(!rejection.detail.isEmpty, "a rejection without a detail: \(rejection)")
            }
            verdicts += 1
        }
        precondition(verdicts == lines.count)
    }
}
