import Testing
@testable import Dataflow

@Suite struct OutputFileTests {
    @Test func appendsAreBufferedAndCountedInLength() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("out.jsonl")
        let file = try OutputFile(path: path)
        try file.append(Array("{\"a\":1}\n".utf8))
        #expect(file.length == 8)
        #expect(dir.read(path).isEmpty)  // still buffered
        try file.flush()
        #expect(dir.read(path) == Array("{\"a\":1}\n".utf8))
        try file.withAppendBuffer { $0 += Array("{\"b\":2}\n".utf8) }
        try file.close()
        try file.close()
        #expect(dir.read(path) == Array("{\"a\":1}\n{\"b\":2}\n".utf8))
        #expect(throws: OutputError.self) { try file.append([1]) }
    }

    @Test func largeAppendsAndManySmallOnesArriveInOrder() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("out.bin")
        let file = try OutputFile(path: path)
        var expected: [UInt8] = []
        for i in 0 ..< 3000 {
            let piece = [UInt8](repeating: UInt8(i % 251), count: i % 7 == 0 ? 3000 : 17)
            try file.append(piece)
            expected += piece
        }
        let big = [UInt8](repeating: 9, count: 3 << 20)
        try file.append(big)
        expected += big
        #expect(file.length == Int64(expected.count))
        try file.sync()
        #expect(dir.read(path) == expected)
        try file.close()
    }

    @Test func recoveryTruncatesToTheCommittedLengthAndAppendsAfter() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("valid.jsonl")
        let first = try OutputFile(path: path)
        try first.append(Array("line1\nline2\n".utf8))
        try first.flush()
        let committed = first.length
        try first.append(Array("uncommitted\n".utf8))
        try first.close()

        let reopened = try OutputFile(path: path, truncatingTo: committed)
        #expect(reopened.length == committed)
        try reopened.append(Array("line3\n".utf8))
        try reopened.close()
        #expect(dir.read(path) == Array("line1\nline2\nline3\n".utf8))

        let error = #expect(throws: OutputError.self) { _ = try OutputFile(path: path, truncatingTo: 1000) }
        #expect(error?.description == "cannot truncate \(path): it has 18 bytes, fewer than the 1000 to keep")

        _ = try OutputFile(path: path)  // without a length: starts afresh
        #expect(dir.read(path).isEmpty)
    }

    @Test func writeBackStartsEveryChunkAndKeepsEveryByteAcrossRecovery() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("valid.jsonl")
        let chunk = Int(OutputFile.writebackChunk)
        var expected: [UInt8] = []
        let first = try OutputFile(path: path)
        for i in 0 ..< (2 * chunk + chunk / 2) / 4099 {
            let piece = [UInt8](repeating: UInt8(i % 251), count: 4099)
            try first.append(piece)
            expected += piece
        }
        try first.flush()
        // Handed to the kernel in whole chunks, each starting where the last one ended.
        #expect(first.writebackFrom >= Int64(2 * chunk) && first.writebackFrom <= first.length)
        let committed = Int64(chunk + 12345)
        try first.close()

        let reopened = try OutputFile(path: path, truncatingTo: committed)
        #expect(reopened.writebackFrom == committed)
        expected.removeLast(expected.count - Int(committed))
        let tail = [UInt8](repeating: 7, count: chunk + 3)
        try reopened.append(tail)
        expected += tail
        try reopened.sync()
        #expect(reopened.writebackFrom > committed)
        try reopened.close()
        #expect(dir.read(path) == expected)

        // Not a regular file: no write-back to start.
        let device = try OutputFile(path: "/dev/null", truncatingTo: 0)
        try device.append([UInt8](repeating: 1, count: chunk + 1))
        try device.flush()
        #expect(device.writebackFrom == 0)
    }

    @Test func anUncreatableFileFailsWithTheOSMessage() throws {
        let error = #expect(throws: OutputError.self) { _ = try OutputFile(path: "/nonexistent-dir/x.jsonl") }
        #expect(error?.description == "cannot create /nonexistent-dir/x.jsonl: No such file or directory")
    }

    @Test func aFullDeviceIsReportedWithThePath() throws {
        // /dev/full fails every write with ENOSPC.
        let file = try OutputFile(path: "/dev/full", truncatingTo: 0)
        try file.append([1, 2, 3])
        let error = #expect(throws: OutputError.self) { try file.flush() }
        #expect(error?.description == "cannot write /dev/full: No space left on device")
    }
}
