import Foundation
import HTTPServer
import PitstopCore
import PitstopStore

extension APIApplication {
    /// Photos and videos: the engineer's app uploads them for an order in work (the body is the
    /// file itself, streamed to disk); staff, and the order's engineer, list and download them.
    var mediaRoutes: [Router.Route] {
        [
            // The headers are checked (key, order, declared type) before a byte of the body is
            // read, and the declared type's limit applies while it streams in.
            Router.upload("POST", "/v1/me/work-orders/{id}/media", preflight: Authenticator.preflight, admission: { [self] request in
                do {
                    let type = try Self.declaredMediaType(request)
                    try authenticator.withTenantCaller(request, roles: [.engineer]) { caller, scope in
                        _ = try Self.workingOrder(request, caller, scope)
                    }
                    return configuration.mediaLimits.limit(for: type.kind)
                } catch {
                    throw ErrorMapping.problem(for: error)
                }
            }, ErrorMapping.wrap { [self] request in
                try authenticator.withTenantCaller(request, roles: [.engineer]) { caller, scope in
                    let order = try Self.workingOrder(request, caller, scope)
                    let (upload, type) = try Self.checkedUpload(request)
                    return try idempotent(request, scope) {
                        let media = try scope.media.add(workOrder: order.id, type: type, sizeBytes: upload.size, sha256: upload.sha256,
                                                        engineer: caller.key.engineerID, actor: caller.key.id)
                        // Into the store before COMMIT: a row never names a missing file. Should
                        // the COMMIT itself fail, the file stays unreferenced, which is harmless.
                        try mediaStore.keep(upload, tenant: caller.tenant.id)
                        var response = try HTTPResponse.json(MediaBody(media), status: 201)
                        response.headers.add("Location", MediaBody.contentURL(media.id))
                        return response
                    }
                }
            }),
            tenantRoute("GET", "/v1/work-orders/{id}/media", roles: Self.allRoles) { request, caller, scope in
                let order = try Self.readableOrder(request, caller, scope)
                return try .json(MediaListBody(items: try scope.media.list(workOrder: order.id).map(MediaBody.init)))
            },
            tenantRoute("GET", "/v1/media/{id}/content", roles: Self.allRoles) { [self] request, caller, scope in
                let media = try scope.media.get(id: try Self.pathID(request, "media"))
                do {
                    _ = try Self.readableOrder(media.workOrderID, caller, scope)
                } catch StoreError.notFound {
                    throw StoreError.notFound("media")
                }
                return try Self.download(media, request, path: mediaStore.path(tenant: caller.tenant.id, sha256: media.sha256))
            },
        ]
    }

    var mediaStore: MediaStore { MediaStore(dataDirectory: configuration.dataDirectory) }

    static func declaredMediaType(_ request: HTTPRequest) throws -> MediaType {
        guard let type = request.headers["Content-Type"].flatMap(MediaType.init(declared:)) else {
            throw Problem(status: 415, type: "unsupported-media-type", title: "Unsupported media type",
                          detail: "send the file's bytes as the body with its Content-Type: "
                              + MediaType.allCases.map(\.rawValue).joined(separator: ", "),
                          errors: [.init(field: "Content-Type", message: "must be one of " + MediaType.allCases.map(\.rawValue).joined(separator: ", "))])
        }
        return type
    }

    /// The upload, if its bytes are what its Content-Type says.
    static func checkedUpload(_ request: HTTPRequest) throws -> (UploadedFile, MediaType) {
        let declared = try declaredMediaType(request)
        guard let upload = request.upload, upload.size > 0 else {
            throw Problem.validation([.init(field: "body", message: "is empty; send the photo or video itself")])
        }
        guard let actual = MediaType.sniff(upload.head), actual == declared else {
            let found = MediaType.sniff(upload.head).map { "they are \($0.name)" } ?? "they are none of the accepted types"
            throw Problem(status: 415, type: "unsupported-media-type", title: "Unsupported media type",
                          detail: "Content-Type says \(declared.name) but \(found); photos may be JPEG, PNG or HEIC, videos MP4 or MOV",
                          errors: [.init(field: "body", message: "is not \(declared.name)")])
        }
        return (upload, actual)
    }

    /// The file, whole or the one range asked for. Content never changes under an id, so it may
    /// be cached for good and its hash is its ETag.
    static func download(_ media: Media, _ request: HTTPRequest, path: String,
                         cacheControl: String = "private, max-age=31536000, immutable") throws -> HTTPResponse {
        if let purged = media.purgedAt {
            throw Problem(status: 410, type: "media-purged", title: "Gone",
                          detail: "the file was deleted on \(ISO8601DateFormatter().string(from: purged)) under the chain's media retention "
                              + "(media_retention_days); its record and SHA-256 remain")
        }
        let etag = "\"\(media.sha256)\""
        var headers = HTTPHeaders([("Content-Type", media.type.rawValue), ("ETag", etag), ("Accept-Ranges", "bytes"),
                                   ("Cache-Control", cacheControl), ("X-Content-Type-Options", "nosniff")])
        if let match = request.headers["If-None-Match"], match == "*" || match.split(separator: ",").contains(where: {
            $0.trimmingCharacters(in: .whitespaces) == etag
        }) {
            return HTTPResponse(status: 304, headers: headers)
        }
        var status = 200
        var range: Range<Int>?
        if let header = request.headers["Range"] {
            switch ByteRange.parse(header, size: media.sizeBytes) {
            case .whole:
                break
            case .unsatisfiable:
                headers.add("Content-Range", "bytes */\(media.sizeBytes)")
                return HTTPResponse(status: 416, headers: headers)
            case .part(let part):
                status = 206
                range = part
                headers.add("Content-Range", "bytes \(part.lowerBound)-\(part.upperBound - 1)/\(media.sizeBytes)")
            }
        }
        var response = HTTPResponse(status: status, headers: headers)
        response.file = try ResponseFile(path: path, range: range)
        return response
    }
}

struct MediaBody: Encodable {
    var id: UUID
    var workOrderId: UUID
    var contentType: String
    var kind: String
    var sizeBytes: Int
    var sha256: String
    var engineerId: UUID?
    var uploadedBy: UUID?
    var createdAt: Date
    var contentUrl: String

    init(_ media: Media) {
        id = media.id
        workOrderId = media.workOrderID
        contentType = media.type.rawValue
        kind = media.type.kind.rawValue
        sizeBytes = media.sizeBytes
        sha256 = media.sha256
        engineerId = media.engineerID
        uploadedBy = media.uploadedByKeyID
        createdAt = media.createdAt
        contentUrl = Self.contentURL(media.id)
    }

    static func contentURL(_ id: UUID) -> String {
        "/v1/media/\(id.lowercasedText)/content"
    }
}

struct MediaListBody: Encodable {
    var items: [MediaBody]
}
