import NATS

/// The streams of live.md section 2, as a node creates them when missing: file storage,
/// no message limit, a duplicate window of 2 minutes.
public enum TillflowStreams {
    /// `TILLFLOW_IN`: every location's records and clock marks (`tillflow.in.>`), also
    /// readable by direct get (a location's last record, without a consumer).
    public static var input: StreamConfig {
        var config = StreamConfig(name: "TILLFLOW_IN", subjects: ["tillflow.in.>"])
        config.duplicateWindow = 120_000_000_000
        config.allowDirect = true
        return config
    }

    /// `TILLFLOW_OUT`: the rows of edge nodes and cloud jobs, readable by direct get (a
    /// restarted output learns its subject's last ordinal that way).
    public static var output: StreamConfig {
        var config = StreamConfig(name: "TILLFLOW_OUT", subjects: ["tillflow.out.>", "tillflow.job.>"])
        config.duplicateWindow = 120_000_000_000
        config.allowDirect = true
        return config
    }

    /// Creates both when missing; existing ones are left as they are.
    public static func ensure(_ js: JetStream) async throws {
        _ = try await js.ensureStream(input)
        _ = try await js.ensureStream(output)
    }
}
