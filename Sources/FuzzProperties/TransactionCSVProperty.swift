import Jobs

/// POS lines in CSV: the first line is the header (a header the decoder refuses is an
/// error of the file, no crash), every other line a transaction keeping the rules or a
/// rejection with a reason and a detail.
public enum TransactionCSVProperty {
    public static func check(_ bytes: UnsafeRawBufferPointer) {
        let lines = RecordLines.of(bytes)
        guard let header = lines.first,
              let layout = try? Array(header).withUnsafeBytes({ try CSVLayout(header: $0) }) else { return }
        let decoder = TransactionDecoder(totalMismatch: .correct)
        for (index, line) in lines.enumerated().dropFirst() {
            switch decoder.decodeCSV(origin: RecordLines.origin(line, index: index), fullLength: line.count, layout: layout) {
            case .success(let transaction): TransactionInvariants.hold(for: transaction)
            case .failure(let rejection): precondition(!rejection.detail.isEmpty, "a rejection without a detail: \(rejection)")
            }
        }
    }
}
