#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads input files line by line into `LineBatch`es: the file source's reading half.
///
/// What holds (spec section 0):
/// - Files are read in the order given; a batch holds consecutive lines of one file.
/// - Content is split on `\n`, which is not part of the line; a `\r` before it is kept.
///   The text after the last `\n`, if not empty, is a final line; an empty file has no
///   lines; an empty line between two `\n` is a line (`storedLength` 0).
/// - A UTF-8 byte-order mark at the start of a file's (decompressed) content is skipped
///   and is not part of line 1; byte offsets still count it.
/// - A line over `maxLineBytes` keeps only its first `keptBytesOfOversizedLine` bytes
///   (`fullLength` tells its real length), so memory stays bounded however long a line
///   is: the reader holds one buffer of `maxLineBytes + chunkBytes` bytes, the zstd
///   decoder's buffers for a `.zst` file, and the batch being filled, which stops growing
///   once it holds `targetBytes` (plus at most one line).
/// - `LineBatch.endPosition` is the position of the next unread line; a reader created
///   with `startingAt:` that position continues exactly there (a `.zst` file is
///   decompressed again and skipped up to it).
///
/// `LineReader` is a value holding a reference to its open files and buffer: copies
/// share one reading state, so use one copy.
public struct LineReader {
    /// A line longer than this (its `\n` not counted) is "too_large".
    public static let maxLineBytes = 1_048_576
    /// How much of a line over `maxLineBytes` a batch keeps (what a dead letter shows).
    public static let keptBytesOfOversizedLine = 4096
    /// Bytes read from a file, or decompressed, per call.
    static let chunkBytes = 2 << 20

    public let files: [InputFile]
    /// A batch ends after this many lines...
    public let targetLines: Int
    /// ...or once its storage holds this many bytes, whichever comes first.
    public let targetBytes: Int
    private let state: LineReaderState

    /// Opens every file up front, so that a missing or unreadable file fails before any
    /// output is written.
    ///
    /// - Parameter startingAt: where to resume, a batch's `endPosition` of an earlier
    ///   reader over the same files. Throws `InputError` (`.cannotResume`) when a plain
    ///   file is shorter than its offset; for a `.zst` file that is found when the first
    ///   batch is read.
    public init(files: [InputFile], targetLines: Int = 4096, targetBytes: Int = 4 << 20,
                startingAt: FileOffset = .start) throws {
        precondition(targetLines > 0 && targetBytes > 0, "a batch must be allowed to hold a line")
        self.files = files
        self.targetLines = targetLines
        self.targetBytes = targetBytes
        self.state = try LineReaderState(files: files, startingAt: startingAt)
    }

    /// The next batch of consecutive lines of one file (a batch never spans two files),
    /// or `nil` after the last line of the last file. Never returns an empty batch.
    public mutating func next() throws -> LineBatch? {
        try state.nextBatch(targetLines: targetLines, targetBytes: targetBytes)
    }

    /// The position of the next unread line.
    public var position: FileOffset { state.position }

    /// The most bytes the reader itself has held at once (its buffer in use plus the
    /// storage of the batch being filled): for tests of the memory bound.
    var peakBufferedBytes: Int { state.peakBufferedBytes }
}

/// The mutable half of a `LineReader`: open descriptors, the current file's content and
/// the read buffer, whose bytes `buffer[dataStart..<dataEnd]` are read but not yet split.
final class LineReaderState {
    private let files: [InputFile]
    /// One descriptor per file, opened up front; -1 once closed.
    private var descriptors: [Int32]
    private var fileIndex: Int
    private var content: FileContent?
    /// Where to resume in the first file opened, when not at its start.
    private var resumeAt: FileOffset?

    private let buffer: UnsafeMutableRawBufferPointer
    private var dataStart = 0
    private var dataEnd = 0
    /// No `\n` lies in `buffer[dataStart..<scanFrom]`.
    private var scanFrom = 0
    /// Decompressed offset of `buffer[0]` in the current file.
    private var baseOffset: Int64 = 0
    private var lineNumber: Int64 = 1
    private var contentEnded = false
    /// Bytes the last batch held, to size the next batch's storage.
    private var lastBatchBytes = 64 << 10
    private(set) var peakBufferedBytes = 0

    init(files: [InputFile], startingAt start: FileOffset) throws {
        self.files = files
        guard start.fileIndex >= 0, Int(start.fileIndex) <= files.count, start.byteOffset >= 0, start.lineNumber >= 1 else {
            let path = files.last?.path ?? "(no input files)"
            throw InputError(.cannotResume, path: path, detail: "position \(start) is not in the \(files.count) input files")
        }
        let first = Int(start.fileIndex)
        let resume = start.byteOffset > 0 ? start : nil
        var descriptors: [Int32] = []
        do {
            for (i, file) in files.enumerated() {
                descriptors.append(try Self.open(file, resumingAt: i == first ? resume : nil))
            }
        } catch {
            for fd in descriptors { _ = SystemCalls.closeFile(fd) }
            throw error
        }
        self.descriptors = descriptors
        self.fileIndex = first
        self.lineNumber = start.lineNumber
        self.resumeAt = resume
        self.buffer = .allocate(byteCount: LineReader.maxLineBytes + LineReader.chunkBytes, alignment: 64)
        // Files before the starting one are done already.
        for i in 0 ..< first { closeDescriptor(i) }
    }

    deinit {
        for i in descriptors.indices { closeDescriptor(i) }
        buffer.deallocate()
    }

    var position: FileOffset {
        if let resumeAt { return resumeAt }
        return FileOffset(fileIndex: Int32(fileIndex), byteOffset: baseOffset + Int64(dataStart), lineNumber: lineNumber)
    }

    /// Opens `file` and checks what can be checked before reading: not a directory, a
    /// `.zst` file starts with a zstd magic number, a plain file is long enough to resume.
    private static func open(_ file: InputFile, resumingAt resume: FileOffset?) throws -> Int32 {
        let fd: Int32
        switch SystemCalls.openFile(file.path, flags: O_RDONLY) {
        case .success(let opened): fd = opened
        case .failure(let error): throw InputError(.cannotOpen, path: file.path, detail: error.message)
        }
        do {
            let st: stat
            switch SystemCalls.status(fd) {
            case .success(let s): st = s
            case .failure(let error): throw InputError(.cannotOpen, path: file.path, detail: error.message)
            }
            if st.st_mode & S_IFMT == S_IFDIR {
                throw InputError(.cannotOpen, path: file.path, detail: SystemError(EISDIR).message)
            }
            if file.isCompressed {
                var magic: (UInt32, UInt32) = (0, 0)
                let n = try withUnsafeMutableBytes(of: &magic) { raw -> Int in
                    switch SystemCalls.readChunk(fd, into: UnsafeMutableRawBufferPointer(rebasing: raw[0 ..< 4]), at: 0) {
                    case .success(let n): return n
                    case .failure(let error): throw InputError(.cannotRead, path: file.path, detail: error.message)
                    }
                }
                let looksLikeZstd = withUnsafeBytes(of: &magic) { ZstdDecompressor.looksLikeZstd(UnsafeRawBufferPointer(rebasing: $0[0 ..< n])) }
                if !looksLikeZstd {
                    throw InputError(.corruptCompression, path: file.path,
                                     detail: n == 0 ? "the file is empty" : "not zstd data (no zstd frame header)")
                }
            } else if let resume, resume.byteOffset > Int64(st.st_size) {
                throw InputError(.cannotResume, path: file.path,
                                 detail: "byte \(resume.byteOffset) is past its end (\(st.st_size) bytes); did it change?")
            }
            #if canImport(Glibc)
            _ = posix_fadvise(fd, 0, 0, Int32(POSIX_FADV_SEQUENTIAL))
            #endif
            return fd
        } catch {
            _ = SystemCalls.closeFile(fd)
            throw error
        }
    }

    private func closeDescriptor(_ i: Int) {
        if descriptors[i] >= 0 {
            _ = SystemCalls.closeFile(descriptors[i])
            descriptors[i] = -1
        }
    }

    // MARK: Batches

    func nextBatch(targetLines: Int, targetBytes: Int) throws -> LineBatch? {
        while fileIndex < files.count {
            if content == nil { try startFile() }
            var storage: [UInt8] = []
            storage.reserveCapacity(min(targetBytes, lastBatchBytes + lastBatchBytes / 8) + 64)
            var lines: [LineSpan] = []
            lines.reserveCapacity(min(targetLines, 4096))
            let fileDone = try split(into: &storage, lines: &lines, targetLines: targetLines, targetBytes: targetBytes)
            let batch = lines.isEmpty ? nil
                : LineBatch(fileIndex: Int32(fileIndex), storage: storage, lines: lines, endPosition: position)
            if fileDone { finishFile() }
            if let batch {
                lastBatchBytes = storage.count
                return batch
            }
        }
        return nil
    }

    /// Splits lines off the buffer into the batch, reading more as needed, until the
    /// batch is full or the file's content has ended; returns whether it has.
    private func split(into storage: inout [UInt8], lines: inout [LineSpan], targetLines: Int, targetBytes: Int) throws -> Bool {
        let base = buffer.baseAddress!
        while lines.count < targetLines && storage.count < targetBytes {
            if scanFrom < dataEnd, let found = memchr(base + scanFrom, 0x0A, dataEnd - scanFrom) {
                let end = base.distance(to: UnsafeMutableRawPointer(found))
                appendLine(at: dataStart, length: end - dataStart, to: &storage, lines: &lines)
                dataStart = end + 1
                scanFrom = dataStart
                continue
            }
            scanFrom = dataEnd
            let pending = dataEnd - dataStart
            if pending > LineReader.maxLineBytes {
                try appendOversizedLine(to: &storage, lines: &lines)
                continue
            }
            if contentEnded {
                if pending > 0 {
                    appendLine(at: dataStart, length: pending, to: &storage, lines: &lines)
                    dataStart = dataEnd
                }
                return true
            }
            notePeak(storage.count)
            try readMore()
        }
        notePeak(storage.count)
        return false
    }

    /// Copies a complete line (one `memcpy`), cut to its kept bytes when oversized.
    @inline(__always)
    private func appendLine(at start: Int, length: Int, to storage: inout [UInt8], lines: inout [LineSpan]) {
        let stored = length > LineReader.maxLineBytes ? LineReader.keptBytesOfOversizedLine : length
        let offset = storage.count
        storage.append(contentsOf: UnsafeRawBufferPointer(start: buffer.baseAddress! + start, count: stored))
        lines.append(LineSpan(start: offset, storedLength: stored, fullLength: length, lineNumber: lineNumber))
        lineNumber += 1
    }

    /// The line starting at `dataStart` has no `\n` within its first `maxLineBytes + 1`
    /// bytes: keep its first bytes, then read and drop the rest up to its `\n` (or the
    /// end of the content), counting its length, without holding more than one buffer.
    private func appendOversizedLine(to storage: inout [UInt8], lines: inout [LineSpan]) throws {
        let kept = LineReader.keptBytesOfOversizedLine
        let offset = storage.count
        storage.append(contentsOf: UnsafeRawBufferPointer(start: buffer.baseAddress! + dataStart, count: kept))
        var length = dataEnd - dataStart
        baseOffset += Int64(dataEnd)
        dataStart = 0
        dataEnd = 0
        scanFrom = 0
        while !contentEnded {
            let n = try content!.read(into: buffer)
            if n == 0 { contentEnded = true; break }
            if let found = memchr(buffer.baseAddress!, 0x0A, n) {
                let end = buffer.baseAddress!.distance(to: UnsafeMutableRawPointer(found))
                length += end
                dataStart = end + 1
                dataEnd = n
                scanFrom = dataStart
                break
            }
            length += n
            baseOffset += Int64(n)
        }
        lines.append(LineSpan(start: offset, storedLength: kept, fullLength: length, lineNumber: lineNumber))
        lineNumber += 1
    }

    /// Moves the unsplit tail (at most `maxLineBytes`) to the front of the buffer and
    /// reads at least `chunkBytes` after it.
    private func readMore() throws {
        let pending = dataEnd - dataStart
        if dataStart > 0 {
            if pending > 0 { memmove(buffer.baseAddress!, buffer.baseAddress! + dataStart, pending) }
            baseOffset += Int64(dataStart)
            scanFrom -= dataStart
            dataStart = 0
            dataEnd = pending
        }
        let n = try content!.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[dataEnd...]))
        if n == 0 { contentEnded = true }
        dataEnd += n
    }

    private func notePeak(_ storageBytes: Int) {
        peakBufferedBytes = max(peakBufferedBytes, storageBytes + dataEnd)
    }

    // MARK: Files

    /// Makes `fileIndex` the current file: at its start (skipping a byte-order mark), or
    /// at the resume position.
    private func startFile() throws {
        let file = files[fileIndex]
        let fd = descriptors[fileIndex]
        content = file.isCompressed ? .zstd(ZstdDecompressor(fd: fd, path: file.path)) : .plain(fd: fd, path: file.path)
        dataStart = 0
        dataEnd = 0
        scanFrom = 0
        baseOffset = 0
        contentEnded = false
        if let position = resumeAt {
            resumeAt = nil
            try resume(at: position, in: file)
            return
        }
        while dataEnd < 3 && !contentEnded { try readMore() }
        let b = buffer.baseAddress!
        if dataEnd >= 3 && b.load(as: UInt8.self) == 0xEF && b.load(fromByteOffset: 1, as: UInt8.self) == 0xBB
            && b.load(fromByteOffset: 2, as: UInt8.self) == 0xBF {
            dataStart = 3
            scanFrom = 3
        }
        // Spec section 1: a CSV file without its header's columns fails the run; one
        // without any line has none.
        while file.format == .csv && dataEnd == dataStart && !contentEnded { try readMore() }
        if file.format == .csv && dataEnd == dataStart {
            throw InputError(.missingHeader, path: file.path,
                             detail: "the file is empty, but a CSV file starts with its header line")
        }
    }

    /// Positions the current file at `position.byteOffset`: seeks a plain file, or
    /// decompresses and drops the bytes before it. The byte before the offset must end a
    /// line (or the offset be the end of the content, after a final line without `\n`);
    /// otherwise the file is not the one the position was taken from.
    private func resume(at position: FileOffset, in file: InputFile) throws {
        let previous = position.byteOffset - 1
        switch content! {
        case .plain(let fd, _):
            if lseek(fd, off_t(previous), SEEK_SET) < 0 {
                throw InputError(.cannotRead, path: file.path, detail: SystemError(errno).message)
            }
        case .zstd(let decompressor):
            var remaining = previous
            while remaining > 0 {
                let n = try decompressor.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0 ..< Int(min(remaining, Int64(buffer.count)))]))
                if n == 0 { break }
                remaining -= Int64(n)
            }
            if remaining > 0 {
                throw InputError(.cannotResume, path: file.path,
                                 detail: "byte \(position.byteOffset) is past its end (\(position.byteOffset - 1 - remaining) bytes); did it change?")
            }
        }
        baseOffset = previous
        while dataEnd < 2 && !contentEnded { try readMore() }
        guard dataEnd >= 1 else {
            throw InputError(.cannotResume, path: file.path,
                             detail: "byte \(position.byteOffset) is past its end (\(previous) bytes); did it change?")
        }
        let before = buffer.baseAddress!.load(as: UInt8.self)
        let afterByteOrderMark = position.byteOffset == 3 && position.lineNumber == 1 && before == 0xBF
        let atEnd = dataEnd == 1 && contentEnded
        if before != 0x0A && !afterByteOrderMark && !atEnd {
            throw InputError(.cannotResume, path: file.path,
                             detail: "byte \(position.byteOffset) is not the start of a line; did it change?")
        }
        dataStart = 1
        scanFrom = 1
    }

    private func finishFile() {
        content = nil
        closeDescriptor(fileIndex)
        fileIndex += 1
        lineNumber = 1
        baseOffset = 0
        dataStart = 0
        dataEnd = 0
        scanFrom = 0
        contentEnded = false
    }
}
