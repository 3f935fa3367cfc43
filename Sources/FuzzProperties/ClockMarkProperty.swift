import Foundation
import Jobs

/// Clock marks (live.md section 1): a line is read as a mark exactly when it is a JSON
/// object whose one member is `clock` with an integer that fits 64 bits, and then its
/// time is that integer. Checked against Foundation's own JSON parser, independently.
public enum ClockMarkProperty {
    public static func check(_ bytes: UnsafeRawBufferPointer) {
        for line in RecordLines.of(bytes) {
            let time = Array(line).withUnsafeBytes { ClockMark.time(ofLine: $0) }
            guard let time else { continue }
            // A line read as a mark is valid JSON to any parser, with that one member.
            let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any]
            precondition(object?.count == 1, "read as a clock mark but not a one-member object: \(Array(line))")
            let text = String(decoding: line, as: UTF8.self)
            precondition(text.contains(String(time)) || (object?["clock"] as? NSNumber)?.int64Value == time,
                         "the clock mark's time \(time) is not the line's: \(text)")
        }
    }
}
