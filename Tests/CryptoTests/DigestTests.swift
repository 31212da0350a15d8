import Crypto
import Testing

@Suite struct DigestTests {
    // FIPS 180-2 examples.
    @Test func sha256OfKnownInputs() {
        #expect(Digest.sha256("abc").hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Digest.sha256("").hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Digest.sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq").hex
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    // One million "a" (FIPS 180-2), fed in uneven pieces as an upload arrives.
    @Test func streamedSHA256MatchesTheOneShotDigest() {
        let stream = SHA256Stream()
        var fed = 0
        for size in [1, 63, 64, 65, 4_096, 100_000].cycled(until: 1_000_000) {
            let piece = [UInt8](repeating: UInt8(ascii: "a"), count: min(size, 1_000_000 - fed))
            piece.withUnsafeBytes { stream.update($0) }
            fed += piece.count
        }
        #expect(fed == 1_000_000)
        #expect(stream.finish().hex == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    // RFC 4231 test cases 1, 2, 3, 4, 6 and 7 (case 5 truncates the output, which Pitstop never does).
    @Test(arguments: [
        ([UInt8](repeating: 0x0b, count: 20), Array("Hi There".utf8),
         "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        (Array("Jefe".utf8), Array("what do ya want for nothing?".utf8),
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        ([UInt8](repeating: 0xaa, count: 20), [UInt8](repeating: 0xdd, count: 50),
         "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
        (Array(1...25) as [UInt8], [UInt8](repeating: 0xcd, count: 50),
         "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
        ([UInt8](repeating: 0xaa, count: 131), Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
        ([UInt8](repeating: 0xaa, count: 131),
         Array("This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.".utf8),
         "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
    ])
    func hmacSHA256MatchesRFC4231(key: [UInt8], message: [UInt8], expected: String) {
        #expect(Digest.hmacSHA256(key: key, message: message).hex == expected)
    }

    @Test func sha1OfKnownInputs() {
        // FIPS 180-1 examples.
        #expect(Digest.sha1("abc").hex == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(Digest.sha1("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq").hex
                == "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
    }

    @Test func hmacWithEmptyKey() {
        // Published in many HMAC test suites: HMAC-SHA256("", "").
        #expect(Digest.hmacSHA256(key: [], message: []).hex
                == "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad")
    }

    @Test func constantTimeEquality() {
        #expect(Digest.constantTimeEquals([1, 2, 3], [1, 2, 3]))
        #expect(!Digest.constantTimeEquals([1, 2, 3], [1, 2, 4]))
        #expect(!Digest.constantTimeEquals([1, 2, 3], [1, 2]))
        #expect(Digest.constantTimeEquals([], []))
    }

    @Test func randomBytesAreDistinct() {
        let samples = (0..<100).map { _ in RandomToken.bytes(16) }
        #expect(Set(samples).count == 100)
        #expect(samples.allSatisfy { $0.count == 16 })
    }
}

private extension Array where Element == Int {
    /// The sizes repeated in order until they add up to at least `total`.
    func cycled(until total: Int) -> [Int] {
        var out: [Int] = []
        var sum = 0
        while sum < total {
            for size in self where sum < total {
                out.append(size)
                sum += size
            }
        }
        return out
    }
}
