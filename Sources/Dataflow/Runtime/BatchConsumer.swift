/// Anything that takes batches: an operator's input, a sink.
///
/// The runtime's whole interface to a running operator. Calls come from one thread at
/// a time, in stream order; `finish` comes once, after the last batch, and means the
/// input is complete (the watermark is `Watermark.end`). Errors are for failures of the
/// machine (a disk write), never for bad records: those are data (dead letters).
public protocol BatchConsumer<Input>: AnyObject {
    associatedtype Input
    func consume(_ batch: Batch<Input>) throws
    func finish() throws
}
