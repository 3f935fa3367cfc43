#if canImport(Glibc)
import Glibc
#endif

/// The output directory of a run.
enum OutputDirectory {
    /// Creates `path` if missing; refuses to write over a previous run's outputs unless told to.
    static func prepare(_ path: String, outputs: [String], overwrite: Bool) throws {
        var st = stat()
        if stat(path, &st) != 0 {
            try Directory.create(path)
            return
        }
        guard (st.st_mode & S_IFMT) == S_IFDIR else { throw JobError("--out \(path) is not a directory") }
        // An empty file is no output to protect (a run killed before writing any).
        let existing = outputs.filter { stat(path + "/" + $0, &st) == 0 && st.st_size > 0 }
        if !existing.isEmpty && !overwrite {
            throw JobError("\(path) already holds outputs (\(existing.joined(separator: ", "))) and no checkpoint to resume from; pass --overwrite to start afresh")
        }
    }

    /// The sum of the inputs' sizes when none is compressed (for a progress percentage).
    static func totalUncompressedSize(_ files: [InputFile]) -> Int64? {
        var total: Int64 = 0
        for f in files {
            if f.isCompressed { return nil }
            var st = stat()
            guard stat(f.path, &st) == 0 else { return nil }
            total += Int64(st.st_size)
        }
        return total
    }
}
