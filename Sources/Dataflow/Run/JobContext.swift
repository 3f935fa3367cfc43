/// What a job is built with: the graph to declare its operators in (with the run's
/// state backend), the inputs, and the output files.
///
/// Output files are opened through the context, so that the run knows them: each
/// checkpoint commits their lengths, and a run restored from a checkpoint gets them cut
/// back to the lengths it committed (what was written after it is written again).
public final class JobContext {
    public let graph: JobGraph
    public let inputs: [InputFile]
    /// The line stream the job reads instead of files (a live run), if any.
    public let lineStream: LineStreamInput?
    public let outputDirectory: String
    /// The checkpoint the run resumes from, if any.
    let resumingFrom: CheckpointManifest?
    /// The outputs opened so far, by name, in the order opened.
    public private(set) var outputs: [(name: String, file: any RecordOutput)] = []
    /// Opens an output that is not a file of the output directory (a live run's
    /// subjects): given the output's name and the length a checkpoint committed.
    public let openOutput: ((String, Int64?) throws -> any RecordOutput)?

    public init(graph: JobGraph, inputs: [InputFile], lineStream: LineStreamInput? = nil, outputDirectory: String,
                resumingFrom: CheckpointManifest? = nil, openOutput: ((String, Int64?) throws -> any RecordOutput)? = nil) {
        self.openOutput = openOutput
        self.graph = graph
        self.inputs = inputs
        self.lineStream = lineStream
        self.outputDirectory = outputDirectory
        self.resumingFrom = resumingFrom
    }

    /// Opens the output `name`: a file in the output directory, empty on a fresh run and
    /// cut back to its committed length on a resumed one; or what `openOutput` makes of
    /// it (a live run's subject).
    public func output(_ name: String) throws -> any RecordOutput {
        var length: Int64? = nil
        if let checkpoint = resumingFrom {
            guard let committed = checkpoint.outputLength(name) else {
                throw CheckpointError("checkpoint \(checkpoint.id) has no length for output \(name)")
            }
            length = committed
        }
        let file: any RecordOutput = try openOutput?(name, length)
            ?? OutputFile(path: outputDirectory + "/" + name, truncatingTo: length)
        outputs.append((name, file))
        return file
    }
}

extension JobContext {
    /// The name of each split of the input, by index (what a dead letter's `source`
    /// starts with): the files' base names, or the stream's name.
    public var inputNames: [String] { lineStream.map { [$0.name] } ?? inputs.map(\.baseName) }
}

/// A stream of lines a job reads instead of files: its name (a dead letter's `source` is
/// `name:sequence`) and how to open it, once per build of the job.
public struct LineStreamInput {
    public let name: String
    public let open: () throws -> any LineSource

    public init(name: String, open: @escaping () throws -> any LineSource) {
        self.name = name
        self.open = open
    }
}
