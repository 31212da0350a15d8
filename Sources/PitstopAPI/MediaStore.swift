import Foundation
import HTTPServer
import Logging

/// Where photo and video bytes live: `<data dir>/media/<tenant>/<first two hex digits>/<sha256>`.
/// Names come only from a tenant id and a hash this server computed, never from a client, so no
/// request can reach outside the store. Uploads arrive in `spool/` on the same file system and
/// are renamed into place, so a file in the store is always complete.
struct MediaStore: Sendable {
    let root: String

    init(dataDirectory: String) {
        root = dataDirectory + "/media"
    }

    var spool: String { root + "/spool" }

    func path(tenant: UUID, sha256: String) -> String {
        "\(root)/\(tenant.lowercasedText)/\(sha256.prefix(2))/\(sha256)"
    }

    /// Moves a finished upload into the store. Identical bytes may already be there (the same
    /// photo sent twice); replacing them with themselves is harmless.
    func keep(_ upload: UploadedFile, tenant: UUID) throws {
        let destination = path(tenant: tenant, sha256: upload.sha256)
        try FileManager.default.createDirectory(atPath: (destination as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try upload.move(to: destination)
    }

    /// Keeps `bytes` (a photo fetched rather than uploaded) under their SHA-256, written to the
    /// spool first and renamed into place like an upload.
    func keep(_ bytes: [UInt8], sha256: String, tenant: UUID) throws {
        let destination = path(tenant: tenant, sha256: sha256)
        try FileManager.default.createDirectory(atPath: (destination as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        let spooled = spool + "/" + UUID().uuidString
        try Data(bytes).write(to: URL(fileURLWithPath: spooled))
        guard rename(spooled, destination) == 0 else {
            try? FileManager.default.removeItem(atPath: spooled)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: destination])
        }
    }

    /// The files under each tenant's folder last written before `before`, by tenant: what the
    /// sweep may remove once no live record names them. A younger file may belong to an upload
    /// whose record is not committed yet.
    func storedFiles(before: Date) -> [(tenant: UUID, sha256: String, path: String)] {
        let files = FileManager.default
        var found: [(UUID, String, String)] = []
        for tenantName in (try? files.contentsOfDirectory(atPath: root)) ?? [] {
            guard let tenant = UUID(uuidString: tenantName) else { continue }
            for shard in (try? files.contentsOfDirectory(atPath: "\(root)/\(tenantName)")) ?? [] {
                for name in (try? files.contentsOfDirectory(atPath: "\(root)/\(tenantName)/\(shard)")) ?? [] {
                    let path = "\(root)/\(tenantName)/\(shard)/\(name)"
                    guard name.count == 64, let modified = (try? files.attributesOfItem(atPath: path))?[.modificationDate] as? Date,
                          modified < before else { continue }
                    found.append((tenant, name, path))
                }
            }
        }
        return found
    }

    /// Creates the folders, and clears spool files older than `staleAfter` that a killed process
    /// left behind (an upload in progress is younger than the server's upload deadline).
    func prepare(staleAfter: TimeInterval, logger: Logger) throws {
        try FileManager.default.createDirectory(atPath: spool, withIntermediateDirectories: true)
        let cutoff = Date().addingTimeInterval(-staleAfter)
        for name in try FileManager.default.contentsOfDirectory(atPath: spool) {
            let file = spool + "/" + name
            guard let modified = (try? FileManager.default.attributesOfItem(atPath: file))?[.modificationDate] as? Date,
                  modified < cutoff else { continue }
            try? FileManager.default.removeItem(atPath: file)
            logger.info("removed an abandoned upload from the spool", ["file": .string(name)])
        }
    }
}
