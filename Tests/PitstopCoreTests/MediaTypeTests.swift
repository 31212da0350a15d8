import PitstopCore
import Testing

@Suite struct MediaTypeTests {
    static func box(_ size: UInt8, _ type: String, _ rest: [UInt8] = []) -> [UInt8] {
        [0, 0, 0, size] + Array(type.utf8) + rest
    }

    static let zero: [UInt8] = [0, 0, 0, 0]

    // Headers as cameras and phones write them.
    @Test(arguments: [
        ([0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10] + Array("JFIF".utf8), MediaType.jpeg),
        ([0xFF, 0xD8, 0xFF, 0xE1, 0x12, 0x34] + Array("Exif".utf8), .jpeg),
        ([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13] + Array("IHDR".utf8), .png),
        // iPhone HEIC: major brand heic.
        (box(24, "ftyp", Array("heic".utf8) + zero + Array("mif1heic".utf8)), .heic),
        // Generic HEIF brand with the HEVC codec among the compatible brands.
        (box(28, "ftyp", Array("mif1".utf8) + zero + Array("mif1heicmiaf".utf8)), .heic),
        (box(32, "ftyp", Array("isom".utf8) + [0, 0, 2, 0] + Array("isomiso2avc1mp41".utf8)), .mp4),
        (box(24, "ftyp", Array("mp42".utf8) + zero + Array("mp42isom".utf8)), .mp4),
        (box(20, "ftyp", Array("qt  ".utf8) + [0, 0, 2, 0] + Array("qt  ".utf8)), .quicktime),
        // An older QuickTime file starts with a wide atom, no ftyp.
        (box(8, "wide") + box(0, "mdat"), .quicktime),
    ] as [([UInt8], MediaType)])
    func realHeadersAreRecognised(head: [UInt8], expected: MediaType) {
        #expect(MediaType.sniff(head) == expected)
    }

    @Test(arguments: [
        Array("just some text pretending to be a photo".utf8),
        Array("GIF89a\u{1}\u{0}\u{1}\u{0}".utf8),
        Array("%PDF-1.7\n%âãÏÓ".utf8),
        // AVIF is HEIF with the AV1 codec: not one of the accepted types.
        box(28, "ftyp", Array("avif".utf8) + zero + Array("avifmif1miaf".utf8)),
        box(28, "ftyp", Array("mif1".utf8) + zero + Array("mif1avifmiaf".utf8)),
        // A box too short to be an ftyp box.
        box(8, "ftyp", Array("isom".utf8)),
        [0xFF, 0xD8],
        [],
    ])
    func otherBytesAreNotMedia(head: [UInt8]) {
        #expect(MediaType.sniff(head) == nil)
    }

    @Test func declaredTypesIgnoreCaseParametersAndCommonSpellings() {
        #expect(MediaType(declared: "image/JPEG; q=0.9") == .jpeg)
        #expect(MediaType(declared: "image/jpg") == .jpeg)
        #expect(MediaType(declared: "image/heif") == .heic)
        #expect(MediaType(declared: "video/quicktime") == .quicktime)
        #expect(MediaType(declared: "video/mp4") == .mp4)
        #expect(MediaType(declared: "text/plain") == nil)
        #expect(MediaType(declared: "") == nil)
    }

    @Test func limitsArePerKind() {
        let limits = MediaLimits(photoBytes: 10, videoBytes: 200)
        #expect(limits.limit(for: MediaType.png.kind) == 10)
        #expect(limits.limit(for: MediaType.quicktime.kind) == 200)
        #expect(MediaLimits() == MediaLimits(photoBytes: 10 * 1024 * 1024, videoBytes: 200 * 1024 * 1024))
    }
}
