@testable import Crypto
import Testing

@Suite struct SecretBoxTests {
    static func bytes(_ hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            out.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return out
    }

    // The GCM specification's test case 14 (AES-256, zero key and nonce, one zero block), and
    // test case 16 (with associated data).
    @Test func knownAnswers() {
        let zero = [UInt8](repeating: 0, count: 32)
        let sealed = SecretBox.seal([UInt8](repeating: 0, count: 16), key: zero, context: [], nonce: [UInt8](repeating: 0, count: 12))
        #expect(sealed.dropFirst(12).hex == "cea7403d4d606b6e074ec5d3baf39d18" + "d0d1c8a799996bf0265b98b5d48ab919")

        let key = Self.bytes("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308")
        let nonce = Self.bytes("cafebabefacedbaddecaf888")
        let plaintext = Self.bytes("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525"
                                   + "b16aedf5aa0de657ba637b39")
        let context = Self.bytes("feedfacedeadbeeffeedfacedeadbeefabaddad2")
        let box = SecretBox.seal(plaintext, key: key, context: context, nonce: nonce)
        #expect(box.dropFirst(12).hex == "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838"
                + "c5f61e6393ba7a0abcc9f662" + "76fc6ece0f4e1768cddf8853bb2d551b")
        #expect(SecretBox.open(box, key: key, context: context) == plaintext)
    }

    @Test func aBoxOpensOnlyUnalteredWithItsKeyAndContext() {
        let key = RandomToken.bytes(32)
        let secret = Array("SEC0123456789abcdef 钉钉".utf8)
        let box = SecretBox.seal(secret, key: key, context: Array("tenant-a".utf8))
        #expect(SecretBox.open(box, key: key, context: Array("tenant-a".utf8)) == secret)
        #expect(SecretBox.open(box, key: key, context: Array("tenant-b".utf8)) == nil)
        #expect(SecretBox.open(box, key: RandomToken.bytes(32), context: Array("tenant-a".utf8)) == nil)
        var altered = box
        altered[20] ^= 1
        #expect(SecretBox.open(altered, key: key, context: Array("tenant-a".utf8)) == nil)
        #expect(SecretBox.open(Array(box.prefix(10)), key: key) == nil)
        // Two boxes of one secret differ: every seal has a fresh nonce.
        #expect(SecretBox.seal(secret, key: key) != SecretBox.seal(secret, key: key))
    }

    // RFC 2202 test cases 1 and 2.
    @Test func hmacSHA1MatchesRFC2202() {
        #expect(Digest.hmacSHA1(key: [UInt8](repeating: 0x0b, count: 20), message: Array("Hi There".utf8)).hex
                == "b617318655057264e28bc0b6fb378c8ef146be00")
        #expect(Digest.hmacSHA1(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8)).hex
                == "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79")
    }
}
