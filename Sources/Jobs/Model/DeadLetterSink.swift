import Dataflow

extension JSONLinesSink where Record == DeadLetter {
    /// `invalid.jsonl` as spec section 3 has it: dead letters in input order (those
    /// found by decoding and by dedup merged back), each naming its file's base name and
    /// line. `each` sees every dead letter as it is written (for counts).
    public static func deadLetters(to file: any RecordOutput, inputs: [InputFile],
                                   each: @escaping (DeadLetter) -> Void = { _ in }) -> JSONLinesSink<DeadLetter> {
        deadLetters(to: file, names: inputs.map(\.baseName), each: each)
    }

    /// Dead letters whose `source` names the split by `names[origin.fileIndex]`.
    public static func deadLetters(to file: any RecordOutput, names: [String],
                                   each: @escaping (DeadLetter) -> Void = { _ in }) -> JSONLinesSink<DeadLetter> {
        return JSONLinesSink(file: file, inputOrder: { $0.origin.order }) { letter, out in
            each(letter)
            letter.writeJSON(into: &out, sourceName: names[Int(letter.origin.fileIndex)])
        }
    }
}
