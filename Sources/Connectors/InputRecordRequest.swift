import Jobs
import NATS

extension NATSRequest {
    /// A line published to `TILLFLOW_IN` on its location's subject (`RecordLocation`),
    /// as it is: what the HTTP ingest, `tillflow publish` and `tillflow simulate` send.
    public static func inputRecord(_ line: some Collection<UInt8>) -> NATSRequest {
        let payload = Array(line)
        return NATSRequest(payload.withUnsafeBytes { RecordLocation(ofLine: $0) }.subject, payload: payload)
    }
}
