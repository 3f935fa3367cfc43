import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOSSL
import NIOPosix

/// A client connection to NATS: publish, subscribe, request, with reconnection.
///
/// Hand-written on SwiftNIO: no NATS client for Swift or C can be installed here. It
/// speaks the client protocol (INFO, CONNECT, PUB/HPUB, SUB/UNSUB, MSG/HMSG, PING/PONG,
/// +OK/-ERR) with headers and no-responders, enforces the server's `max_payload`, and
/// after a lost connection reconnects with backoff over the server list, subscribes
/// again under the same ids and sends what was published meanwhile (up to
/// `reconnectBufferBytes`).
///
/// Publishes from any thread are appended to one buffer that the event loop writes out
/// in one go per turn, so a burst costs one write, not one per message.
public final class NATSConnection: Sendable {
    let options: NATSConnectionOptions
    let addresses: [ServerAddress]
    let group: any EventLoopGroup
    /// The client's TLS set-up, made when first needed (its CA file read once).
    let tls = NIOLockedValueBox<NIOSSLContext?>(nil)
    let state = NIOLockedValueBox(State())
    /// This connection's own prefix for reply subjects (`_INBOX.<unique>`): its requests'
    /// replies come on `<prefix>.*`; other reply subjects may extend it.
    public let inboxPrefix: String

    struct State {
        var channel: (any Channel)?
        var info: ServerInfo?
        var subscriptions: [UInt64: NATSSubscription] = [:]
        var nextSID: UInt64 = 1
        /// Bytes to write at the event loop's next turn (or after reconnecting).
        var pending = ByteBuffer()
        var writeScheduled = false
        /// Waiting for PONGs, in the order their PINGs were sent.
        var pongWaiters: [EventLoopPromise<Void>] = []
        /// Requests waiting for their reply, by the reply subject's last token.
        var replies: [String: EventLoopPromise<NATSMessage>] = [:]
        var inboxSID: UInt64?
        var nextReply: UInt64 = 0
        var closed = false
        var reconnecting = false
        /// The last `-ERR` the server sent that did not end the connection.
        var lastError: String?
        /// Connections made so far: 1 after connecting, one more per reconnection.
        var generation = 0
    }

    init(options: NATSConnectionOptions, group: any EventLoopGroup) throws(NATSError) {
        guard !options.servers.isEmpty else { throw .cannotConnect("no server given") }
        var addresses: [ServerAddress] = []
        for url in options.servers { addresses.append(try ServerAddress(url)) }
        self.addresses = addresses
        self.options = options
        self.group = group
        inboxPrefix = "_INBOX." + UUID().uuidString.replacingOccurrences(of: "-", with: "")
    }

    /// Connects to the first server of `options.servers` that answers.
    public static func connect(_ options: NATSConnectionOptions,
                               group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> NATSConnection {
        let connection = try NATSConnection(options: options, group: group)
        try await connection.establish()
        return connection
    }

    /// What the server said of itself when this connection was (re)made.
    public var serverInfo: ServerInfo? { state.withLockedValue { $0.info } }

    /// Bytes of publishes kept for the next connection while none is up (the options').
    public var reconnectBufferBytes: Int { options.reconnectBufferBytes }

    /// Whether a connection to a server is up now.
    public var isConnected: Bool { state.withLockedValue { $0.channel != nil } }

    /// How many times a connection was made: 1 once connected, one more per
    /// reconnection. A publisher that needs its messages stored in order sees a change,
    /// and sends again what was not acknowledged before anything new.
    public var generation: Int { state.withLockedValue { $0.generation } }

    /// The last `-ERR` that did not end the connection (a permissions violation).
    public var lastServerError: String? { state.withLockedValue { $0.lastError } }

    // MARK: - Connecting

    /// Tries the servers in order once, and says which answered; throws the failures if
    /// none did.
    @discardableResult
    func establish() async throws -> ServerAddress {
        var failures: [String] = []
        for address in addresses {
            do {
                try await open(address)
                return address
            } catch {
                failures.append("\(address): \(error)")
            }
        }
        throw NATSError.cannotConnect(failures.joined(separator: "; "))
    }

    /// One attempt: TCP, the server's INFO, CONNECT, the subscriptions again, PING, and
    /// its PONG, all within `connectTimeout`.
    func open(_ address: ServerAddress) async throws {
        let loop = group.next()
        let handshake = loop.makePromise(of: ServerInfo.self)
        let pong = loop.makePromise(of: Void.self)
        let timeout = loop.scheduleTask(in: TimeAmount(options.connectTimeout)) {
            handshake.fail(NATSError.timeout("connecting to \(address)"))
            pong.fail(NATSError.timeout("connecting to \(address)"))
        }
        defer {
            timeout.cancel()
            // No promise outlives the attempt (completing one twice does nothing).
            handshake.fail(NATSError.closed)
            pong.fail(NATSError.closed)
        }
        let channel = try await ClientBootstrap(group: loop)
            .connectTimeout(TimeAmount(options.connectTimeout))
            .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(ServerOperationDecoder()))
                    try channel.pipeline.syncOperations.addHandler(NATSInboundHandler(connection: self, handshake: handshake))
                }
            }
            .connect(host: address.host, port: address.port).get()
        do {
            let info = try await handshake.futureResult.get()
            guard info.headers != false else { throw NATSError.cannotConnect("\(address) does not support headers") }
            if address.tls || options.tlsCAFile != nil || info.tlsRequired == true {
                guard info.tlsRequired == true || info.tlsAvailable == true else {
                    throw NATSError.cannotConnect("\(address) does not offer TLS, which this connection requires")
                }
                try await startTLS(on: channel, host: address.host)
            }
            try await confirm(channel: channel, info: info, pong: pong)
        } catch {
            pong.fail(error)
            try? await channel.close()
            throw error
        }
    }

    /// The TLS context of `options`: the system's trust roots, or the CA file's.
    func tlsContext() throws -> NIOSSLContext {
        try tls.withLockedValue { made in
            if let made { return made }
            var configuration = TLSConfiguration.makeClientConfiguration()
            if let ca = options.tlsCAFile { configuration.trustRoots = .file(ca) }
            do {
                made = try NIOSSLContext(configuration: configuration)
            } catch {
                throw NATSError.cannotConnect("TLS cannot be set up (\(options.tlsCAFile.map { "CA file " + $0 } ?? "system trust roots")): \(error)")
            }
            return made!
        }
    }

    /// Upgrades a channel to TLS after the server's INFO, which comes in the clear (the
    /// client protocol's order): the TLS handler goes first in the pipeline, so that
    /// what is read next is decrypted before it is framed. The handshake completes
    /// before CONNECT is sent; a certificate that does not verify fails the attempt.
    func startTLS(on channel: any Channel, host: String) async throws {
        let isAddress = host.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || $0 == 46 } || host.contains(":")
        let context = try tlsContext()
        let handshook = channel.eventLoop.makePromise(of: Void.self)
        let timer = channel.eventLoop.scheduleTask(in: TimeAmount(options.connectTimeout)) {
            handshook.fail(NATSError.timeout("the TLS handshake with \(host)"))
        }
        defer { timer.cancel() }
        do {
            try await channel.eventLoop.submit {
                let handler = try NIOSSLClientHandler(context: context, serverHostname: isAddress ? nil : host)
                try channel.pipeline.syncOperations.addHandler(handler, position: .first)
                try channel.pipeline.syncOperations.addHandler(TLSHandshakeWatcher(done: handshook), position: .after(handler))
            }.get()
        } catch {
            handshook.fail(error)
            throw error
        }
        try await handshook.futureResult.get()
    }

    /// Sends CONNECT, the subscriptions and a PING on a channel whose INFO arrived, and
    /// makes it the connection's once the PONG comes.
    func confirm(channel: any Channel, info: ServerInfo, pong: EventLoopPromise<Void>) async throws {
        var out = channel.allocator.buffer(capacity: 256)
        out.writeString("CONNECT " + connectJSON(nonce: info.nonce) + "\r\n")
        let resend: ByteBuffer = state.withLockedValue { s in
            for (sid, sub) in s.subscriptions.sorted(by: { $0.key < $1.key }) {
                Self.writeSub(sub.subject, queue: sub.queueGroup, sid: sid, into: &out)
            }
            if let sid = s.inboxSID { Self.writeSub(inboxPrefix + ".*", queue: nil, sid: sid, into: &out) }
            out.writeStaticString("PING\r\n")
            s.pongWaiters.insert(pong, at: 0)
            s.info = info
            return s.pending
        }
        channel.writeAndFlush(out, promise: nil)
        try await pong.futureResult.get()
        let closed = state.withLockedValue { s in
            guard !s.closed else { return true }
            s.channel = channel
            s.generation += 1
            s.pending.clear()
            s.writeScheduled = false
            return false
        }
        if closed {
            try? await channel.close()
            throw NATSError.closed
        }
        if resend.readableBytes > 0 { channel.writeAndFlush(resend, promise: nil) }
    }

    func connectJSON(nonce: String?) -> String {
        var fields: [String: Any] = ["verbose": false, "pedantic": false, "headers": true, "no_responders": true,
                                     "protocol": 1, "lang": "swift", "version": "0.1", "name": options.name, "echo": true]
        if let user = options.user { fields["user"] = user }
        if let password = options.password { fields["pass"] = password }
        if let token = options.token { fields["auth_token"] = token }
        for (key, value) in options.credentials?.connectFields(nonce: nonce) ?? [:] { fields[key] = value }
        let data = (try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// The channel of the connection went away: fail what waited on it, then reconnect
    /// (unless closed or told not to).
    func lost(_ channel: any Channel) {
        let (waiters, reconnect) = state.withLockedValue { s -> ([EventLoopPromise<Void>], Bool) in
            guard s.channel === channel else { return ([], false) }
            s.channel = nil
            // Without a reconnect buffer nothing unwritten outlives the connection: a
            // publisher's later messages never overtake its lost ones.
            if options.reconnectBufferBytes == 0 { s.pending.clear() }
            let waiters = s.pongWaiters
            s.pongWaiters = []
            let reconnect = !s.closed && options.reconnect && !s.reconnecting
            if reconnect { s.reconnecting = true }
            return (waiters, reconnect)
        }
        for w in waiters { w.fail(NATSError.closed) }
        if reconnect {
            options.onConnectionChange?(.lost)
            Task { await self.reconnectLoop() }
        } else if !options.reconnect {
            endAll()
        }
    }

    func reconnectLoop() async {
        var delay = options.reconnectDelay
        while !state.withLockedValue({ $0.closed }) {
            try? await Task.sleep(for: delay)
            do {
                let address = try await establish()
                state.withLockedValue { $0.reconnecting = false }
                options.onConnectionChange?(.restored(server: address.description))
                return
            } catch {
                delay = min(delay * 2, options.maxReconnectDelay)
            }
        }
        state.withLockedValue { $0.reconnecting = false }
    }

    // MARK: - Publishing

    /// Publishes a message (at most once: it is on its way when this returns, not yet
    /// at the server). Throws for a payload over `max_payload`, a subject or header
    /// that cannot be written, or a closed connection; with `generation`, also when the
    /// connection is no longer that one (`cannotConnect`), decided atomically with the
    /// sending, so that an ordered publisher never sends on a new connection before it
    /// has sent again what the old one lost.
    public func publish(_ subject: String, replyTo: String? = nil, headers: NATSHeaders? = nil,
                        payload: some Collection<UInt8>, generation: Int? = nil) throws {
        try Self.validate(subject: subject)
        if let replyTo { try Self.validate(subject: replyTo) }
        try headers?.validate()
        let headerLength = headers?.encodedLength ?? 0
        let size = headerLength + payload.count
        if let limit = serverInfo?.maxPayload, size > limit { throw NATSError.payloadTooLarge(size: size, limit: limit) }
        // Written straight into what the event loop sends next: no buffer of its own.
        try send(bytes: size + subject.utf8.count + (replyTo?.utf8.count ?? 0) + 48, generation: generation) { out in
            out.writeStaticString(headers == nil ? "PUB " : "HPUB ")
            out.writeString(subject)
            out.writeStaticString(" ")
            if let replyTo {
                out.writeString(replyTo)
                out.writeStaticString(" ")
            }
            if headers != nil {
                out.writeString(String(headerLength))
                out.writeStaticString(" ")
            }
            out.writeString(String(size))
            out.writeStaticString("\r\n")
            headers?.encode(into: &out)
            out.writeBytes(payload)
            out.writeStaticString("\r\n")
        }
    }

    /// Appends to the bytes the event loop writes at its next turn.
    func send(_ bytes: ByteBuffer, generation: Int? = nil) throws {
        var bytes = bytes
        try send(bytes: bytes.readableBytes, generation: generation) { $0.writeBuffer(&bytes) }
    }

    /// Has `write` append about `bytes` bytes to what the event loop writes at its next
    /// turn, under the lock that decides whether they may go now (the connection's
    /// `generation`, the reconnect buffer).
    func send(bytes: Int, generation: Int? = nil, _ write: (inout ByteBuffer) -> Void) throws {
        let channel: (any Channel)? = try state.withLockedValue { s in
            guard !s.closed else { throw NATSError.closed }
            if let generation, generation != s.generation || s.channel == nil {
                throw NATSError.cannotConnect("the connection was lost since (generation \(s.generation), not \(generation))")
            }
            if s.channel == nil, s.pending.readableBytes + bytes > options.reconnectBufferBytes {
                throw NATSError.cannotConnect("disconnected, and \(options.reconnectBufferBytes) bytes of publishes are waiting already")
            }
            write(&s.pending)
            guard let channel = s.channel, !s.writeScheduled else { return nil }
            s.writeScheduled = true
            return channel
        }
        guard let channel else { return }
        channel.eventLoop.execute {
            let out: ByteBuffer? = self.state.withLockedValue { s in
                s.writeScheduled = false
                guard s.channel === channel, s.pending.readableBytes > 0 else { return nil }
                defer { s.pending.clear() }
                return s.pending
            }
            if let out { channel.writeAndFlush(out, promise: nil) }
        }
    }

    static func validate(subject: String) throws(NATSError) {
        guard !subject.isEmpty, !subject.utf8.contains(where: { $0 <= 32 }) else { throw .invalidSubject(subject) }
    }

    static func writeSub(_ subject: String, queue: String?, sid: UInt64, into out: inout ByteBuffer) {
        out.writeString("SUB \(subject) \(queue.map { $0 + " " } ?? "")\(sid)\r\n")
    }

    /// Waits until the server has read everything sent before (a PING's PONG).
    public func flush(timeout: Duration = .seconds(10)) async throws {
        let (promise, loop) = try state.withLockedValue { s -> (EventLoopPromise<Void>, any EventLoop) in
            guard !s.closed else { throw NATSError.closed }
            guard let channel = s.channel else { throw NATSError.cannotConnect("disconnected") }
            let p = channel.eventLoop.makePromise(of: Void.self)
            s.pongWaiters.append(p)
            return (p, channel.eventLoop)
        }
        var ping = ByteBufferAllocator().buffer(capacity: 6)
        ping.writeStaticString("PING\r\n")
        let timer = loop.scheduleTask(in: TimeAmount(timeout)) { promise.fail(NATSError.timeout("flush")) }
        defer {
            timer.cancel()
            promise.fail(NATSError.closed)
        }
        try send(ping)
        try await promise.futureResult.get()
    }

    // MARK: - Subscribing

    /// Subscribes to `subject` (wildcards allowed), optionally in a queue group.
    public func subscribe(_ subject: String, queueGroup: String? = nil) throws -> NATSSubscription {
        try Self.validate(subject: subject)
        let sub = try state.withLockedValue { s -> NATSSubscription in
            guard !s.closed else { throw NATSError.closed }
            let sub = NATSSubscription(subject: subject, queueGroup: queueGroup, sid: s.nextSID)
            s.nextSID += 1
            s.subscriptions[sub.sid] = sub
            return sub
        }
        var out = ByteBufferAllocator().buffer(capacity: 64)
        Self.writeSub(subject, queue: queueGroup, sid: sub.sid, into: &out)
        try send(out)
        return sub
    }

    /// Ends a subscription: the server stops sending, and the subscription's queue ends
    /// once drained.
    public func unsubscribe(_ subscription: NATSSubscription) throws {
        let known = state.withLockedValue { $0.subscriptions.removeValue(forKey: subscription.sid) != nil }
        subscription.end()
        guard known else { return }
        var out = ByteBufferAllocator().buffer(capacity: 32)
        out.writeString("UNSUB \(subscription.sid)\r\n")
        try send(out)
    }

    // MARK: - Requests

    /// Publishes a request and waits for its first reply. A subject nobody listens on
    /// fails at once with `noResponders` (the server's 503).
    public func request(_ subject: String, headers: NATSHeaders? = nil, payload: some Collection<UInt8> = [UInt8](),
                        timeout: Duration = .seconds(5)) async throws -> NATSMessage {
        try await requests([NATSRequest(subject, headers: headers, payload: Array(payload))], timeout: timeout)[0]
    }

    /// Publishes requests in their order, all at once, then waits for every reply: the
    /// replies in the requests' order. The server sees them in order, so JetStream
    /// stores publishes made this way in order, without a round trip each. The first
    /// failure (a timeout, no responders) is thrown once all are settled.
    public func requests(_ requests: [NATSRequest], timeout: Duration = .seconds(5)) async throws -> [NATSMessage] {
        let (first, loop, inbox) = try state.withLockedValue { s -> (UInt64, any EventLoop, UInt64?) in
            guard !s.closed else { throw NATSError.closed }
            var inbox: UInt64? = nil
            if s.inboxSID == nil {
                s.inboxSID = s.nextSID
                inbox = s.nextSID
                s.nextSID += 1
            }
            let first = s.nextReply + 1
            s.nextReply += UInt64(requests.count)
            return (first, s.channel?.eventLoop ?? group.next(), inbox)
        }
        let promises = requests.map { _ in loop.makePromise(of: NATSMessage.self) }
        state.withLockedValue { s in
            for (i, promise) in promises.enumerated() { s.replies[String(first + UInt64(i))] = promise }
        }
        let timer = loop.scheduleTask(in: TimeAmount(timeout)) { [state] in
            // A request the server refused never gets an answer: say what it refused.
            let refusal = state.withLockedValue { $0.lastError }
            for (i, promise) in promises.enumerated() {
                let subject = requests[i].subject
                if let refusal, refusal.contains("Permissions Violation for Publish to \"\(subject)\"") {
                    promise.fail(NATSError.server(refusal))
                } else {
                    promise.fail(NATSError.timeout("request on \(subject)"))
                }
            }
        }
        defer {
            timer.cancel()
            state.withLockedValue { s in
                for i in promises.indices { s.replies.removeValue(forKey: String(first + UInt64(i))) }
            }
            for promise in promises { promise.fail(NATSError.closed) }
        }
        if let inbox {
            var out = ByteBufferAllocator().buffer(capacity: 64)
            Self.writeSub(inboxPrefix + ".*", queue: nil, sid: inbox, into: &out)
            try send(out)
        }
        for (i, r) in requests.enumerated() {
            try publish(r.subject, replyTo: inboxPrefix + "." + String(first + UInt64(i)), headers: r.headers, payload: r.payload)
        }
        // One wait for them all: a suspension per answer would cost a thread hop each.
        let answers = try await EventLoopFuture.whenAllComplete(promises.map(\.futureResult), on: loop).get()
        var replies: [NATSMessage] = []
        replies.reserveCapacity(requests.count)
        for (i, answer) in answers.enumerated() {
            let reply = try answer.get()
            if reply.status == 503 { throw NATSError.noResponders(requests[i].subject) }
            replies.append(reply)
        }
        return replies
    }

    // MARK: - From the event loop

    func received(_ message: NATSMessage, sid: UInt64) {
        let (sub, reply): (NATSSubscription?, EventLoopPromise<NATSMessage>?) = state.withLockedValue { s in
            if sid == s.inboxSID {
                let token = message.subject.split(separator: ".").last.map(String.init) ?? ""
                return (nil, s.replies.removeValue(forKey: token))
            }
            return (s.subscriptions[sid], nil)
        }
        if let reply { reply.succeed(message) } else { sub?.deliver(message) }
    }

    func receivedPong() {
        let waiter = state.withLockedValue { s in s.pongWaiters.isEmpty ? nil : s.pongWaiters.removeFirst() }
        waiter?.succeed(())
    }

    func receivedInfo(_ info: ServerInfo) {
        state.withLockedValue { $0.info = info }
    }

    func receivedError(_ text: String) {
        state.withLockedValue { $0.lastError = text }
    }

    // MARK: - Closing

    /// Sends what is pending, closes the connection for good and ends every subscription.
    public func close() async {
        try? await flush(timeout: .seconds(2))
        let channel = state.withLockedValue { s -> (any Channel)? in
            s.closed = true
            defer { s.channel = nil }
            return s.channel
        }
        try? await channel?.close()
        endAll()
    }

    func endAll() {
        let (subs, replies, pongs) = state.withLockedValue { s in
            defer {
                s.subscriptions = [:]
                s.replies = [:]
                s.pongWaiters = []
            }
            return (Array(s.subscriptions.values), Array(s.replies.values), s.pongWaiters)
        }
        for sub in subs { sub.end() }
        for r in replies { r.fail(NATSError.closed) }
        for p in pongs { p.fail(NATSError.closed) }
    }
}

extension NATSConnection {
    /// A fatal error on the connection's current channel: the PONGs awaited will not
    /// come. (An error on a channel already replaced by a reconnection changes nothing.)
    func failWaiters(_ error: any Error, on channel: any Channel) {
        let waiters = state.withLockedValue { s -> [EventLoopPromise<Void>] in
            guard s.channel === channel else { return [] }
            defer { s.pongWaiters = [] }
            return s.pongWaiters
        }
        for w in waiters { w.fail(error) }
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
