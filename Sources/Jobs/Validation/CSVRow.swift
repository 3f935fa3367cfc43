/// One cell of a CSV line: where its content lies (between the quotes, for a quoted cell).
struct CSVCell: Sendable, Equatable {
    var start: Int
    var end: Int
    /// The quoted content holds `""` pairs, each standing for one `"`.
    var hasDoubledQuotes: Bool

    static let empty = CSVCell(start: 0, end: 0, hasDoubledQuotes: false)

    var isEmpty: Bool { start == end }
}

/// Why a CSV line cannot be split into cells.
struct CSVQuotingError: Error, Sendable, Equatable, CustomStringConvertible {
    enum Problem: Sendable, Equatable {
        /// A quoted cell whose closing quote is missing (quotes cannot span lines).
        case unterminatedQuote
        /// Something other than `,` or the end of the line after a closing quote.
        case textAfterQuote
    }

    var problem: Problem
    var offset: Int

    var description: String {
        switch problem {
        case .unterminatedQuote: "unterminated quoted cell starting at byte \(offset)"
        case .textAfterQuote: "unexpected character after a closing quote at byte \(offset)"
        }
    }
}

/// Splitting a CSV line into cells, RFC 4180 style, one line at a time.
///
/// A cell that starts with `"` is quoted: it runs to the next `"` that is not part of
/// a `""` pair, and a `,` or the end of the line must follow. Any other cell runs to
/// the next `,` and is taken literally (a `"` inside it included). The caller has
/// already dropped the line's `\n` and a trailing `\r`.
enum CSVRow {
    /// Calls `cell` with each cell's index and bounds, left to right; returns the
    /// number of cells.
    @inline(__always)
    static func split(_ line: UnsafeRawBufferPointer,
                      _ cell: (Int, CSVCell) -> Void) throws(CSVQuotingError) -> Int {
        let n = line.count
        var i = 0
        var index = 0
        while true {
            if i < n && line[i] == UInt8(ascii: "\"") {
                var j = i &+ 1
                var doubled = false
                while true {
                    guard j < n else { throw CSVQuotingError(problem: .unterminatedQuote, offset: i) }
                    if line[j] == UInt8(ascii: "\"") {
                        guard j &+ 1 < n && line[j &+ 1] == UInt8(ascii: "\"") else { break }
                        doubled = true
                        j &+= 2
                    } else {
                        j &+= 1
                    }
                }
                cell(index, CSVCell(start: i &+ 1, end: j, hasDoubledQuotes: doubled))
                i = j &+ 1
                if i == n { return index &+ 1 }
                guard line[i] == UInt8(ascii: ",") else { throw CSVQuotingError(problem: .textAfterQuote, offset: i) }
            } else {
                var j = i
                while j < n && line[j] != UInt8(ascii: ",") { j &+= 1 }
                cell(index, CSVCell(start: i, end: j, hasDoubledQuotes: false))
                if j == n { return index &+ 1 }
                i = j
            }
            i &+= 1
            index &+= 1
        }
    }

    /// The line without one trailing `\r` (of a CRLF file).
    @inline(__always)
    static func droppingCarriageReturn(_ line: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        guard let last = line.last, last == 0x0D else { return line }
        return UnsafeRawBufferPointer(rebasing: line.dropLast())
    }

    /// The text a cell stands for, `""` pairs undone.
    static func string(_ cell: CSVCell, in line: UnsafeRawBufferPointer) -> String {
        let content = UnsafeRawBufferPointer(rebasing: line[cell.start ..< cell.end])
        guard cell.hasDoubledQuotes else { return String(decoding: content, as: UTF8.self) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(content.count)
        var k = 0
        while k < content.count {
            bytes.append(content[k])
            k &+= content[k] == UInt8(ascii: "\"") ? 2 : 1
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
