import Dataflow
import Foundation
import Hummingbird
import HummingbirdAuth
import Logging
import NIOCore
import Prometheus

/// The edge node's HTTP endpoints (live.md section 3), on Hummingbird:
///
/// - `POST /v1/records`: the record ingest (`RecordIngest`); `202` with the receipt, `413`
///   for a body over 8 MiB or a line over the server's `max_payload` (nothing published),
///   `503` when publishing failed part way (the reply says how many lines were stored);
/// - `GET /health`: `200` while the process runs;
/// - `GET /ready`: `200` when connected, restored and caught up, else `503` and why;
/// - `GET /metrics`: the Prometheus text format;
/// - `GET /` and `GET /status.json`: the status page (`StatusPage`) and its data, when
///   the process keeps a `StatusBoard`.
///
/// `--metrics ADDR` serves `/metrics` (and `/health`) alone on an address of its own.
///
/// With a bearer token (`HTTPToken`), every endpoint but `/health` and `/ready` wants
/// `Authorization: Bearer <token>` and answers `401` without it, `403` with another: the ingest publishes
/// sales, the metrics tell a store's turnover. Probes stay open; they tell nothing.
public enum NodeHTTP {
    typealias Context = BasicAuthRequestContext<HTTPToken.Holder>

    /// The application serving every endpoint, or only `/metrics` and `/health` when
    /// `ingest` and `readiness` are nil.
    public static func application(at address: ListenAddress, ingest: RecordIngest?, readiness: (any Readiness)?,
                                   registry: PrometheusCollectorRegistry, token: HTTPToken? = nil,
                                   status: StatusBoard? = nil, logger: Logger) -> some ApplicationProtocol {
        let router = Router(context: Context.self)
        router.get("health") { _, _ in "ok\n" }
        if let readiness {
            router.get("ready") { _, _ -> Response in
                if let why = readiness.notReadyBecause { return text(.serviceUnavailable, "not ready: \(why)\n") }
                return text(.ok, "ready\n")
            }
        }
        let guarded = router.group()
        if let token {
            guarded.add(middleware: ClosureAuthenticator<Context> { request, _ in
                guard let bearer = request.headers.bearer else { return nil }  // 401: who is asking?
                guard token.admits(bearer.token) else { throw HTTPError(.forbidden) }  // 403: not with that token
                return HTTPToken.Holder()
            })
            guarded.add(middleware: IsAuthenticatedMiddleware<Context>())
        }
        guarded.get("metrics") { _, _ -> Response in
            var text: [UInt8] = []
            registry.emit(into: &text)
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: text)))
        }
        if let status {
            guarded.get("/") { _, _ -> Response in
                let page = StatusPage.html(status.snapshot(atMs: SystemClock.wallMs()))
                return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                                body: ResponseBody(byteBuffer: ByteBuffer(string: page)))
            }
            guarded.get("status.json") { _, _ -> Response in
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                let json = try encoder.encode(status.snapshot(atMs: SystemClock.wallMs()))
                return Response(status: .ok, headers: [.contentType: "application/json"],
                                body: ResponseBody(byteBuffer: ByteBuffer(bytes: json)))
            }
        }
        if let ingest {
            guarded.post("v1/records") { request, _ -> Response in
                let body = try await request.body.collect(upTo: RecordIngest.maxBodyBytes)
                do {
                    let receipt = try await ingest.publish(body: Array(buffer: body))
                    let json = try JSONEncoder().encode(receipt)
                    return Response(status: .accepted, headers: [.contentType: "application/json"],
                                    body: ResponseBody(byteBuffer: ByteBuffer(bytes: json)))
                } catch let refusal as RecordIngest.Refusal {
                    switch refusal {
                    case .lineTooLarge: return text(.contentTooLarge, "\(refusal)\n")
                    case .failed: return text(.serviceUnavailable, "\(refusal)\n")
                    }
                }
            }
        }
        return Application(router: router, configuration: .init(address: .hostname(address.host, port: address.port)),
                           onServerRunning: { channel in
                               logger.info("serving HTTP", metadata: ["address": "\(channel.localAddress.map { "\($0)" } ?? "\(address)")"])
                           },
                           logger: logger)
    }

    static func text(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }
}
