import NIOCore

/// The connection's end of one channel: answers the server's PINGs, routes messages
/// and PONGs to the connection, completes the handshake on the first INFO, and tells
/// the connection when the channel goes away.
///
/// `-ERR`s that leave the connection open (permissions violations) are recorded; any
/// other ends it, and the server closes the socket.
final class NATSInboundHandler: ChannelInboundHandler {
    typealias InboundIn = ServerOperation
    typealias OutboundOut = ByteBuffer

    let connection: NATSConnection
    let handshake: EventLoopPromise<ServerInfo>

    init(connection: NATSConnection, handshake: EventLoopPromise<ServerInfo>) {
        self.connection = connection
        self.handshake = handshake
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .info(let info):
            connection.receivedInfo(info)
            handshake.succeed(info)
        case .message(let message, let sid):
            connection.received(message, sid: sid)
        case .ping:
            var pong = context.channel.allocator.buffer(capacity: 6)
            pong.writeStaticString("PONG\r\n")
            context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
        case .pong:
            connection.receivedPong()
        case .ok:
            break
        case .error(let text):
            connection.receivedError(text)
            let error = NATSError.server(text)
            handshake.fail(error)
            if !Self.leavesConnectionOpen(text) {
                connection.failWaiters(error, on: context.channel)
                context.close(promise: nil)
            }
        }
    }

    static func leavesConnectionOpen(_ text: String) -> Bool {
        text.lowercased().hasPrefix("permissions violation") || text.lowercased().hasPrefix("invalid subject")
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        handshake.fail(error)
        connection.failWaiters(error, on: context.channel)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        handshake.fail(NATSError.cannotConnect("the server closed the connection"))
        connection.lost(context.channel)
        context.fireChannelInactive()
    }
}
