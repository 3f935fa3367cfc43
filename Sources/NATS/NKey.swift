import Crypto
import Foundation

/// An NKey (NATS's Ed25519 identities): a seed (`SU…` for a user) that signs the
/// server's nonce when connecting, and the public key (`U…`) a server or a JWT names.
/// Encoded as NATS encodes them: a prefix byte for the kind, the key, a CRC-16 (XMODEM,
/// little-endian), all in base32 without padding; a seed's two leading bytes carry the
/// seed prefix and the kind. Hand-written: no listed package reads NKeys.
public struct NKey: Sendable {
    /// The kinds Tillflow meets: users connect, accounts sign users, operators sign accounts.
    public enum Kind: UInt8, Sendable {
        case `operator` = 112  // 14 << 3: 'O'
        case account = 0  // 'A'
        case user = 160  // 20 << 3: 'U'
    }

    public let kind: Kind
    let key: Curve25519.Signing.PrivateKey

    static let seedPrefix: UInt8 = 144  // 18 << 3: 'S'

    /// A new random key of `kind`.
    public init(random kind: Kind) {
        self.kind = kind
        key = Curve25519.Signing.PrivateKey()
    }

    /// The key of an encoded seed (`SU…`, `SA…`, `SO…`); white space around it is ignored.
    public init(seed text: String) throws(NATSError) {
        guard let raw = Base32.decode(text.trimmingCharacters(in: .whitespacesAndNewlines)), raw.count == 36,
              Self.crc16(raw[0 ..< 34]) == UInt16(raw[34]) | UInt16(raw[35]) << 8 else {
            throw .invalidCredentials("not an NKey seed (base32 with a valid checksum)")
        }
        guard raw[0] & 0xF8 == Self.seedPrefix, let kind = Kind(rawValue: (raw[0] & 0x07) << 5 | (raw[1] & 0xF8) >> 3) else {
            throw .invalidCredentials("not an NKey seed of a user, account or operator")
        }
        do {
            key = try Curve25519.Signing.PrivateKey(rawRepresentation: raw[2 ..< 34])
        } catch {
            throw .invalidCredentials("an NKey seed whose key does not decode")
        }
        self.kind = kind
    }

    /// The encoded seed: keep it secret.
    public var seed: String {
        let prefix = [Self.seedPrefix | kind.rawValue >> 5, (kind.rawValue & 0x1F) << 3]
        return Self.encode(prefix + Array(key.rawRepresentation))
    }

    /// The encoded public key (`U…` for a user).
    public var publicKey: String { Self.encode([kind.rawValue] + Array(key.publicKey.rawRepresentation)) }

    /// An Ed25519 signature of `bytes`.
    public func sign(_ bytes: [UInt8]) -> [UInt8] {
        Array((try? key.signature(for: bytes)) ?? Data())
    }

    static func encode(_ payload: [UInt8]) -> String {
        let crc = crc16(payload[...])
        return Base32.encode(payload + [UInt8(crc & 0xFF), UInt8(crc >> 8)])
    }

    /// CRC-16/XMODEM: polynomial 0x1021, initial value 0.
    static func crc16(_ bytes: ArraySlice<UInt8>) -> UInt16 {
        var crc: UInt16 = 0
        for byte in bytes {
            crc ^= UInt16(byte) << 8
            for _ in 0 ..< 8 { crc = crc & 0x8000 != 0 ? crc << 1 ^ 0x1021 : crc << 1 }
        }
        return crc
    }
}

/// RFC 4648 base32 without padding, as NKeys use it.
enum Base32 {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        var buffer = 0, bits = 0
        for byte in bytes {
            buffer = buffer << 8 | Int(byte)
            bits += 8
            while bits >= 5 {
                out.append(alphabet[(buffer >> (bits - 5)) & 31])
                bits -= 5
            }
        }
        if bits > 0 { out.append(alphabet[(buffer << (5 - bits)) & 31]) }
        return String(decoding: out, as: UTF8.self)
    }

    static func decode(_ text: String) -> [UInt8]? {
        var out: [UInt8] = []
        var buffer = 0, bits = 0
        for character in text.utf8 {
            guard let value = alphabet.firstIndex(of: character) else { return nil }
            buffer = (buffer << 5 | value) & 0xFFFF
            bits += 5
            if bits >= 8 {
                out.append(UInt8((buffer >> (bits - 8)) & 0xFF))
                bits -= 8
            }
        }
        return out
    }
}
