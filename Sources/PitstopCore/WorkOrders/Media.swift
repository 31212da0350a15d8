import Foundation

/// A photo or video the engineer took for an order. The bytes live in a content-addressed store
/// (by SHA-256); this is what PostgreSQL keeps about them.
public struct Media: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case photo
        case video
    }

    public var id: UUID
    public var workOrderID: UUID
    public var type: MediaType
    public var sizeBytes: Int
    /// Lower-case hexadecimal SHA-256 of the bytes: the file's name in the store.
    public var sha256: String
    public var engineerID: UUID?
    public var uploadedByKeyID: UUID?
    public var createdAt: Date
    /// When the tenant's media retention removed the bytes (the record and hash stay).
    public var purgedAt: Date?

    public init(id: UUID, workOrderID: UUID, type: MediaType, sizeBytes: Int, sha256: String, engineerID: UUID?,
                uploadedByKeyID: UUID?, createdAt: Date, purgedAt: Date? = nil) {
        self.purgedAt = purgedAt
        self.id = id
        self.workOrderID = workOrderID
        self.type = type
        self.sizeBytes = sizeBytes
        self.sha256 = sha256
        self.engineerID = engineerID
        self.uploadedByKeyID = uploadedByKeyID
        self.createdAt = createdAt
    }
}

/// The file types the app may upload, told apart by their first bytes: what a file is named or
/// declared as proves nothing (a text file called photo.jpg is not a photo).
public enum MediaType: String, Sendable, CaseIterable {
    case jpeg = "image/jpeg"
    case png = "image/png"
    case heic = "image/heic"
    case mp4 = "video/mp4"
    case quicktime = "video/quicktime"

    public var kind: Media.Kind {
        switch self {
        case .jpeg, .png, .heic: .photo
        case .mp4, .quicktime: .video
        }
    }

    /// A human name for messages.
    public var name: String {
        switch self {
        case .jpeg: "a JPEG image"
        case .png: "a PNG image"
        case .heic: "a HEIC image"
        case .mp4: "an MP4 video"
        case .quicktime: "a QuickTime (MOV) video"
        }
    }

    /// The type a `Content-Type` header names, ignoring parameters and case; `image/heif` and
    /// `image/jpg` are common spellings from phones.
    public init?(declared header: String) {
        let essence = header.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        switch essence {
        case "image/jpg", "image/pjpeg": self = .jpeg
        case "image/heif", "image/heic-sequence", "image/heif-sequence": self = .heic
        case "video/mov": self = .quicktime
        default:
            guard let type = MediaType(rawValue: essence) else { return nil }
            self = type
        }
    }

    /// What the file's first bytes (at least 32 of them for ISO media files) say it is.
    public static func sniff(_ head: [UInt8]) -> MediaType? {
        if head.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        if head.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        guard head.count >= 12 else { return nil }
        let boxType = String(decoding: head[4..<8], as: UTF8.self)
        if boxType == "ftyp" { return isoMedia(head) }
        // QuickTime files from before the ftyp box start straight with one of these atoms.
        let size = head[0..<4].reduce(0) { $0 << 8 | Int($1) }
        if ["moov", "mdat", "wide", "free", "skip", "pnot"].contains(boxType), size == 0 || size >= 8 { return .quicktime }
        return nil
    }

    /// ISO base media files (HEIC, MP4, MOV) name their family in the `ftyp` box: a major brand,
    /// then compatible brands.
    private static func isoMedia(_ head: [UInt8]) -> MediaType? {
        let size = head[0..<4].reduce(0) { $0 << 8 | Int($1) }
        guard size >= 16 else { return nil }
        var brands = [String(decoding: head[8..<12], as: UTF8.self)]
        var offset = 16
        while offset + 4 <= min(size, head.count) {
            brands.append(String(decoding: head[offset..<(offset + 4)], as: UTF8.self))
            offset += 4
        }
        let heic: Set<String> = ["heic", "heix", "heim", "heis", "hevc", "hevx"]
        let mp4: Set<String> = ["isom", "iso2", "iso3", "iso4", "iso5", "iso6", "mp41", "mp42", "avc1", "M4V ", "mmp4", "MSNV", "dash", "3gp4", "3gp5"]
        if heic.contains(brands[0]) { return .heic }
        if brands[0] == "qt  " { return .quicktime }
        if mp4.contains(brands[0]) { return .mp4 }
        // A generic HEIF major brand (mif1, msf1) says which codec among the compatible brands.
        if ["mif1", "msf1"].contains(brands[0]), brands.dropFirst().contains(where: heic.contains) { return .heic }
        return nil
    }
}

/// How large each kind of upload may be; the operator configures both.
public struct MediaLimits: Sendable, Equatable {
    public var photoBytes: Int
    public var videoBytes: Int

    public init(photoBytes: Int = 10 << 20, videoBytes: Int = 200 << 20) {
        self.photoBytes = photoBytes
        self.videoBytes = videoBytes
    }

    public func limit(for kind: Media.Kind) -> Int {
        switch kind {
        case .photo: photoBytes
        case .video: videoBytes
        }
    }
}
