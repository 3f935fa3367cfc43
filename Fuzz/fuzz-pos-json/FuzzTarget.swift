import Foundation
import FuzzProperties

/// `make fuzz` builds this with `-sanitize=fuzzer -D FUZZING`: libFuzzer then runs
/// `TransactionJSONProperty.check` on inputs it grows from `Fuzz/corpus/fuzz-pos-json/`. A plain build
/// runs the same check over the files named on the command line (a corpus, or a crash
/// to reproduce).
@main struct FuzzTarget {
    static func main() throws {
        #if !FUZZING
        for path in CommandLine.arguments.dropFirst() {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            bytes.withUnsafeBytes { TransactionJSONProperty.check($0) }
        }
        print("fuzz-pos-json: \(CommandLine.arguments.count - 1) inputs checked")
        #endif
    }
}

#if FUZZING
/// What libFuzzer's `main` calls for each input (the fuzz build is linked without
/// SwiftPM's renaming of `main`: `make fuzz`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    TransactionJSONProperty.check(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}
#endif
