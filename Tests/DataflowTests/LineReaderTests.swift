import Testing
@testable import Dataflow

/// One line as a reader delivered it, for comparisons.
private struct ReadLine: Equatable, CustomStringConvertible {
    var fileIndex: Int32
    var lineNumber: Int64
    var bytes: [UInt8]
    var fullLength: Int
    var text: String { String(decoding: bytes, as: UTF8.self) }
    var description: String { "\(fileIndex):\(lineNumber) \(text.debugDescription) (\(fullLength))" }
}

/// Reads everything, checking the batch invariants on the way.
private func readAll(_ reader: inout LineReader) throws -> (lines: [ReadLine], batches: [LineBatch]) {
    var lines: [ReadLine] = []
    var batches: [LineBatch] = []
    while let batch = try reader.next() {
        #expect(!batch.lines.isEmpty)
        for (i, span) in batch.lines.enumerated() {
            lines.append(ReadLine(fileIndex: batch.fileIndex, lineNumber: span.lineNumber,
                                  bytes: Array(batch.bytes(of: i)), fullLength: span.fullLength))
        }
        // Line numbers are consecutive inside a batch, and the end position follows the last line.
        let numbers = batch.lines.map(\.lineNumber)
        #expect(numbers == Array(numbers.first! ..< numbers.first! + Int64(numbers.count)))
        #expect(batch.endPosition.fileIndex == batch.fileIndex)
        #expect(batch.endPosition.lineNumber == numbers.last! + 1)
        batches.append(batch)
    }
    return (lines, batches)
}

private func texts(_ lines: [ReadLine]) -> [String] { lines.map(\.text) }

private func reader(_ paths: [String], targetLines: Int = 4096, from start: FileOffset = .start) throws -> LineReader {
    try LineReader(files: paths.map(InputFile.init(path:)), targetLines: targetLines, startingAt: start)
}

/// Writes `bytes` as a `.zst` file through `ZstdCompressingWriter`, in pieces of `piece` bytes.
@discardableResult
private func writeCompressed(_ path: String, _ bytes: [UInt8], piece: Int = 100_000) throws -> String {
    let writer = try ZstdCompressingWriter(path: path)
    var i = 0
    while i < bytes.count {
        try bytes[i ..< min(bytes.count, i + piece)].withUnsafeBytes { try writer.append($0) }
        i += piece
    }
    try writer.close()
    return path
}

@Suite struct LineReaderSplittingTests {
    @Test func splitsOnNewlineAndKeepsAFinalLineWithoutOne() throws {
        let dir = TemporaryDirectory()
        var r = try reader([dir.write("a.jsonl", "one\ntwo\nthree")])
        let (lines, batches) = try readAll(&r)
        #expect(texts(lines) == ["one", "two", "three"])
        #expect(lines.map(\.lineNumber) == [1, 2, 3])
        #expect(batches.count == 1)
        #expect(batches[0].endPosition == FileOffset(fileIndex: 0, byteOffset: 13, lineNumber: 4))
    }

    @Test func emptyLinesAreLinesAndATrailingNewlineAddsNone() throws {
        let dir = TemporaryDirectory()
        var r = try reader([dir.write("a.jsonl", "\na\n\n\nb\n")])
        let (lines, _) = try readAll(&r)
        #expect(texts(lines) == ["", "a", "", "", "b"])
        #expect(lines.map(\.fullLength) == [0, 1, 0, 0, 1])
    }

    @Test func anEmptyFileHasNoLines() throws {
        let dir = TemporaryDirectory()
        var r = try reader([dir.write("empty.jsonl", "")])
        #expect(try r.next() == nil)
        #expect(try r.next() == nil)
    }

    @Test func carriageReturnsAreKept() throws {
        let dir = TemporaryDirectory()
        var r = try reader([dir.write("crlf.csv", "a,b\r\n1,2\r\n\r\n")])
        let (lines, _) = try readAll(&r)
        #expect(texts(lines) == ["a,b\r", "1,2\r", "\r"])
    }

    @Test func aByteOrderMarkIsSkippedButCountedInOffsets() throws {
        let dir = TemporaryDirectory()
        var r = try reader([dir.write("bom.jsonl", [0xEF, 0xBB, 0xBF] + Array("{}\n[]\n".utf8))], targetLines: 1)
        let (lines, batches) = try readAll(&r)
        #expect(texts(lines) == ["{}", "[]"])
        #expect(lines.map(\.lineNumber) == [1, 2])
        #expect(batches.map(\.endPosition.byteOffset) == [6, 9])
    }

    @Test func onlyALeadingByteOrderMarkIsSkipped() throws {
        let dir = TemporaryDirectory()
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        var r = try reader([dir.write("a.jsonl", Array("x\n".utf8) + bom + Array("y".utf8)),
                            dir.write("b.jsonl", bom), dir.write("c.jsonl", [0xEF, 0xBB])])
        let (lines, _) = try readAll(&r)
        #expect(lines.map(\.bytes) == [Array("x".utf8), bom + Array("y".utf8), [0xEF, 0xBB]])
    }

    @Test func filesAreReadInOrderAndABatchNeverSpansTwo() throws {
        let dir = TemporaryDirectory()
        let a = dir.write("a.jsonl", "a1\na2\na3\n")
        let b = dir.write("b.jsonl", "")
        let c = dir.write("c.jsonl", "c1\nc2")
        var r = try reader([a, b, c], targetLines: 2)
        let (lines, batches) = try readAll(&r)
        #expect(texts(lines) == ["a1", "a2", "a3", "c1", "c2"])
        #expect(lines.map(\.lineNumber) == [1, 2, 3, 1, 2])
        #expect(batches.map(\.fileIndex) == [0, 0, 2])
        #expect(batches.map(\.lines.count) == [2, 1, 2])
        #expect(batches.map(\.endPosition) == [
            FileOffset(fileIndex: 0, byteOffset: 6, lineNumber: 3),
            FileOffset(fileIndex: 0, byteOffset: 9, lineNumber: 4),
            FileOffset(fileIndex: 2, byteOffset: 5, lineNumber: 3),
        ])
    }

    @Test func linesAcrossManyReadChunksComeOutWhole() throws {
        // 3 MiB of lines of varying length: splits fall across the reader's chunk boundaries.
        let dir = TemporaryDirectory()
        var content: [UInt8] = []
        var expected: [String] = []
        var i = 0
        while content.count < 3 << 20 {
            let line = String(repeating: Character(UnicodeScalar(UInt8(97 + i % 26))), count: (i * 7919) % 3000)
            expected.append(line)
            content += Array(line.utf8) + [0x0A]
            i += 1
        }
        var r = try reader([dir.write("big.jsonl", content)], targetLines: 1000)
        let (lines, batches) = try readAll(&r)
        #expect(texts(lines) == expected)
        #expect(batches.last!.endPosition.byteOffset == Int64(content.count))
    }

    @Test func aBatchStopsGrowingAtItsByteTarget() throws {
        let dir = TemporaryDirectory()
        let line = [UInt8](repeating: 0x61, count: 1000) + [0x0A]
        var content: [UInt8] = []
        for _ in 0 ..< 100 { content += line }
        var r = try LineReader(files: [InputFile(path: dir.write("a.jsonl", content))], targetBytes: 10_000)
        let (lines, batches) = try readAll(&r)
        #expect(lines.count == 100)
        #expect(batches.allSatisfy { $0.storage.count <= 10_000 + 1000 })
    }
}

@Suite struct LineReaderOversizedLineTests {
    @Test func aLineOfExactlyTheLimitIsKeptWholeAndOneByteMoreIsCut() throws {
        let dir = TemporaryDirectory()
        let max = LineReader.maxLineBytes
        let content = [UInt8](repeating: 0x61, count: max) + [0x0A] + [UInt8](repeating: 0x62, count: max + 1) + Array("\nend".utf8)
        var r = try reader([dir.write("a.jsonl", content)])
        let (lines, _) = try readAll(&r)
        #expect(lines.count == 3)
        #expect(lines[0].bytes.count == max && lines[0].fullLength == max)
        #expect(lines[1].bytes == [UInt8](repeating: 0x62, count: LineReader.keptBytesOfOversizedLine))
        #expect(lines[1].fullLength == max + 1)
        #expect(lines[2].text == "end" && lines[2].lineNumber == 3)
    }

    /// A 64 MiB line is measured, not held: the reader's memory stays a few MiB.
    @Test(arguments: [false, true])
    func aHugeLineIsCountedWithBoundedMemory(compressed: Bool) throws {
        let dir = TemporaryDirectory()
        let huge = 64 << 20
        var content = Array("first\n".utf8)
        content += [UInt8](repeating: 0x7B, count: huge)
        content += Array("\nlast\n".utf8)
        content += [UInt8](repeating: 0x7D, count: huge)  // a final oversized line without \n
        let path = compressed ? try writeCompressed(dir.file("huge.jsonl.zst"), content, piece: 8 << 20)
                              : dir.write("huge.jsonl", content)
        content = []
        var r = try reader([path], targetLines: 2)
        let (lines, batches) = try readAll(&r)
        #expect(texts(lines).map { $0.prefix(1) } == ["f", "{", "l", "}"])
        #expect(lines.map(\.fullLength) == [5, huge, 4, huge])
        #expect(lines[1].bytes.count == LineReader.keptBytesOfOversizedLine)
        #expect(batches.last!.endPosition.byteOffset == Int64(6 + huge + 6 + huge))
        #expect(r.peakBufferedBytes <= LineReader.maxLineBytes + LineReader.chunkBytes + 64 << 10)
        #expect(batches.allSatisfy { $0.storage.count <= 2 * LineReader.keptBytesOfOversizedLine + 10 })
    }
}

@Suite struct LineReaderCompressionTests {
    @Test func zstdRoundTripThroughTheCompressingWriter() throws {
        let dir = TemporaryDirectory()
        var content: [UInt8] = [0xEF, 0xBB, 0xBF]
        var expected: [String] = []
        for i in 0 ..< 50_000 {
            let line = "{\"tx_id\":\"s0001-t01-\(i)\",\"n\":\(i * 31 % 977)}"
            expected.append(line)
            content += Array(line.utf8) + [0x0A]
        }
        content += Array("tail".utf8)
        expected.append("tail")
        let path = try writeCompressed(dir.file("a.jsonl.zst"), content, piece: 7777)
        #expect(dir.read(path).count < content.count / 4)
        var r = try reader([path], targetLines: 1000)
        let (lines, batches) = try readAll(&r)
        #expect(texts(lines) == expected)
        #expect(batches.last!.endPosition == FileOffset(fileIndex: 0, byteOffset: Int64(content.count), lineNumber: 50_002))
    }

    @Test func concatenatedFramesAndAnEmptyFrameAreRead() throws {
        let dir = TemporaryDirectory()
        let one = dir.read(try writeCompressed(dir.file("1.zst"), Array("a\nb".utf8)))
        let empty = dir.read(try writeCompressed(dir.file("2.zst"), []))
        let two = dir.read(try writeCompressed(dir.file("3.zst"), Array("c\n".utf8)))
        var r = try reader([dir.write("all.jsonl.zst", one + empty + two)])
        let (lines, _) = try readAll(&r)
        #expect(texts(lines) == ["a", "bc"])
    }

    @Test func aCorruptStreamThrowsAOneLineError() throws {
        let dir = TemporaryDirectory()
        var content: [UInt8] = []
        for i in 0 ..< 20_000 { content += Array("line \(i) \(i * i)\n".utf8) }
        var bytes = dir.read(try writeCompressed(dir.file("ok.jsonl.zst"), content))
        for i in stride(from: bytes.count / 2, to: bytes.count / 2 + 64, by: 1) { bytes[i] ^= 0x5A }
        var r = try reader([dir.write("bad.jsonl.zst", bytes)])
        let error = #expect(throws: InputError.self) { _ = try readAll(&r) }
        #expect(error?.kind == .corruptCompression)
        #expect(error?.description.hasPrefix("corrupt zstd stream in \(dir.file("bad.jsonl.zst")): ") == true)
        #expect(error?.description.contains("\n") == false)
    }

    @Test func aTruncatedStreamThrows() throws {
        let dir = TemporaryDirectory()
        var content: [UInt8] = []
        for i in 0 ..< 20_000 { content += Array("line \(i) \(i * i)\n".utf8) }
        let bytes = dir.read(try writeCompressed(dir.file("ok.jsonl.zst"), content))
        var r = try reader([dir.write("cut.jsonl.zst", Array(bytes[0 ..< bytes.count - 10]))])
        let error = #expect(throws: InputError.self) { _ = try readAll(&r) }
        #expect(error?.kind == .corruptCompression)
        #expect(error?.description.contains("truncated") == true)
    }

    @Test func aFileThatIsNotZstdFailsWhenOpened() throws {
        let dir = TemporaryDirectory()
        let plain = dir.write("plain.jsonl.zst", "{\"a\":1}\n")
        let empty = dir.write("empty.jsonl.zst", "")
        for path in [plain, empty] {
            let error = #expect(throws: InputError.self) { _ = try reader([path]) }
            #expect(error?.kind == .corruptCompression)
        }
    }
}

@Suite struct LineReaderOpeningTests {
    @Test func aMissingFileFailsAtInitEvenAfterGoodOnes() throws {
        let dir = TemporaryDirectory()
        let good = dir.write("good.jsonl", "x\n")
        let missing = dir.file("missing.jsonl")
        let error = #expect(throws: InputError.self) { _ = try reader([good, missing]) }
        #expect(error?.description == "cannot open \(missing): No such file or directory")
    }

    @Test func aDirectoryIsNotAnInputFile() throws {
        let dir = TemporaryDirectory()
        let error = #expect(throws: InputError.self) { _ = try reader([dir.path]) }
        #expect(error?.kind == .cannotOpen)
    }
}

@Suite struct LineReaderResumeTests {
    private func contentWithOddLines() -> [UInt8] {
        var content: [UInt8] = [0xEF, 0xBB, 0xBF]
        for i in 0 ..< 3000 {
            content += Array(String(repeating: "x", count: i % 17).utf8)
            content += Array("\(i)\(i % 5 == 0 ? "\r" : "")\n".utf8)
            if i % 1000 == 999 { content += [0x0A] }
        }
        content += [UInt8](repeating: 0x79, count: LineReader.maxLineBytes + 10) + [0x0A]
        content += Array("last".utf8)
        return content
    }

    /// Resuming at any batch's end position yields exactly the lines after it.
    @Test(arguments: [false, true])
    func resumingAtEveryEndPositionContinuesExactly(compressed: Bool) throws {
        let dir = TemporaryDirectory()
        let content = contentWithOddLines()
        let first = compressed ? try writeCompressed(dir.file("a.jsonl.zst"), content) : dir.write("a.jsonl", content)
        let second = dir.write("b.jsonl", "b1\nb2\n")
        var full = try reader([first, second], targetLines: 700)
        let (all, batches) = try readAll(&full)
        #expect(all.count == 3000 + 3 + 2 + 2)
        var consumed = 0
        for batch in batches {
            consumed += batch.lines.count
            var resumed = try reader([first, second], targetLines: 500, from: batch.endPosition)
            #expect(resumed.position == batch.endPosition)
            let (rest, _) = try readAll(&resumed)
            #expect(rest == Array(all[consumed...]), "resumed at \(batch.endPosition)")
        }
    }

    @Test func aPositionPastTheEndOrInsideALineIsRejected() throws {
        let dir = TemporaryDirectory()
        let plain = dir.write("a.jsonl", "abc\ndef\n")
        let compressed = try writeCompressed(dir.file("a.jsonl.zst"), Array("abc\ndef\n".utf8))
        let past = #expect(throws: InputError.self) {
            _ = try reader([plain], from: FileOffset(fileIndex: 0, byteOffset: 99, lineNumber: 3))
        }
        #expect(past?.kind == .cannotResume)
        for (path, offsets) in [(plain, [2 as Int64]), (compressed, [2, 99])] {
            for offset in offsets {
                var r = try reader([path], from: FileOffset(fileIndex: 0, byteOffset: offset, lineNumber: 2))
                let inside = #expect(throws: InputError.self) { _ = try r.next() }
                #expect(inside?.kind == .cannotResume)
            }
        }
        let beyond = #expect(throws: InputError.self) {
            _ = try reader([plain], from: FileOffset(fileIndex: 2, byteOffset: 0, lineNumber: 1))
        }
        #expect(beyond?.kind == .cannotResume)
    }

    @Test func resumingAfterTheLastFileReadsNothing() throws {
        let dir = TemporaryDirectory()
        var r = try reader([dir.write("a.jsonl", "x\n")], from: FileOffset(fileIndex: 1, byteOffset: 0, lineNumber: 1))
        #expect(try r.next() == nil)
    }
}
