import Foundation
import FuzzProperties

// `make fuzz` builds this with `-sanitize=fuzzer -D FUZZING`: libFuzzer calls the entry
// below with inputs it grows from `Fuzz/corpus/fuzz-pos-csv/`. A plain build is the same check
// over the files named on the command line (a corpus, or a crash to reproduce).
#if FUZZING
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    TransactionCSVProperty.check(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}
#else
@main struct ReplayInputs {
    static func main() throws {
        for path in CommandLine.arguments.dropFirst() {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            bytes.withUnsafeBytes { TransactionCSVProperty.check($0) }
        }
        print("fuzz-pos-csv: \(CommandLine.arguments.count - 1) inputs checked")
    }
}
#endif
