/// Why a text is not one acceptable JSON document, and where (a byte offset, from 0).
///
/// Everything here makes a record `malformed_json` (spec section 0), including the
/// two rules that are not JSON syntax proper: a known member repeated in one object,
/// and nesting deeper than `JSONScanner.maxDepth`.
public struct JSONSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Problem: Sendable, Hashable {
        /// Nothing but whitespace (or nothing at all).
        case empty
        /// The text ends inside a value.
        case unexpectedEnd
        /// A byte that cannot stand where it is.
        case unexpectedByte(UInt8)
        /// A number that breaks the JSON grammar (`01`, `1.`, `-`, `.5`, `1e`).
        case invalidNumber
        /// A backslash escape other than `\" \\ \/ \b \f \n \r \t \uXXXX`.
        case invalidEscape
        /// A `\uD800`...`\uDBFF` escape not followed by a `\uDC00`...`\uDFFF` one, or a lone low surrogate.
        case loneSurrogate
        /// A raw byte below 0x20 inside a string.
        case controlCharacter
        /// Bytes inside a string that are not well-formed UTF-8.
        case invalidUTF8
        /// More than `JSONScanner.maxDepth` nested objects and arrays.
        case tooDeep
        /// Something other than whitespace after the document's value.
        case trailingCharacters
        /// A member name the schema knows, seen twice in one object (names compared after unescaping).
        case duplicateKey(String)
    }

    public var problem: Problem
    public var offset: Int

    public init(_ problem: Problem, at offset: Int) {
        self.problem = problem
        self.offset = offset
    }

    public var description: String {
        switch problem {
        case .empty: return "empty line"
        case .unexpectedEnd: return "unexpected end of input at byte \(offset)"
        case .unexpectedByte(let b):
            let shown = (0x21 ... 0x7E).contains(b) ? "'\(Character(Unicode.Scalar(b)))'" : "byte 0x\(String(b, radix: 16))"
            return "unexpected \(shown) at byte \(offset)"
        case .invalidNumber: return "invalid number at byte \(offset)"
        case .invalidEscape: return "invalid escape at byte \(offset)"
        case .loneSurrogate: return "lone surrogate escape at byte \(offset)"
        case .controlCharacter: return "unescaped control character in a string at byte \(offset)"
        case .invalidUTF8: return "invalid UTF-8 in a string at byte \(offset)"
        case .tooDeep: return "nesting deeper than \(JSONScanner.maxDepth) levels at byte \(offset)"
        case .trailingCharacters: return "unexpected characters after the value at byte \(offset)"
        case .duplicateKey(let name): return "duplicate field \"\(name)\" at byte \(offset)"
        }
    }
}
