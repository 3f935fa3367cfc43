import Foundation
import FuzzProperties

/// `make fuzz` builds this with `-sanitize=fuzzer -D FUZZING`: libFuzzer then runs
/// `ClockMarkProperty.check` on inputs it grows from `Fuzz/corpus/fuzz-clock-mark/`. A plain build
/// runs the same check over the files named on the command line (a corpus, or a crash
/// to reproduce).
@main struct FuzzTarget {
    static func main() throws {
        #if !FUZZING
        for path in CommandLine.arguments.dropFirst() {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            bytes.withUnsafeBytes { ClockMarkProperty.check($0) }
        }
        print("fuzz-clock-mark: \(CommandLine.arguments.count - 1) inputs checked")
        #endif
    }
}

#if FUZZING
/// What libFuzzer's `main` calls for each input (the fuzz build is linked without
/// SwiftPM's renaming of `main`: `make fuzz`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    ClockMarkProperty.check(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}
#endif
