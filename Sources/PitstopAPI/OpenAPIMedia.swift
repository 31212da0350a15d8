import Foundation
import PitstopCore

/// The OpenAPI description of photos and videos: upload, list and download.
extension OpenAPIDocument {
    static var mediaPaths: Object {
        // The body is the file itself, whichever accepted type it is.
        let mediaContent = Object(uniqueKeysWithValues: MediaType.allCases.map {
            ($0.rawValue, ["schema": ["type": "string", "contentMediaType": $0.rawValue]] as Object)
        })
        var upload = operation("uploadMedia",
                               "Upload a photo or video for an order in work (engineer key): the body is the file itself, streamed to disk. "
                                   + "Content-Type must name the type; the bytes must be of that type. Photos up to PITSTOP_PHOTO_MAX_BYTES "
                                   + "(10 MiB by default), videos up to PITSTOP_VIDEO_MAX_BYTES (200 MiB). Send Expect: 100-continue to hear a "
                                   + "refusal before sending the body.",
                               tags: ["mobile"], parameters: [idParameter, idempotencyKey],
                               responses: ["201": ["description": "Stored; Location is its download URL", "content": json(ref("Media"))],
                                           "413": ["description": "Larger than the limit for its kind", "content": problemContent],
                                           "415": ["description": "Content-Type missing or not accepted, or the bytes are not of that type",
                                                   "content": problemContent]])
        upload["requestBody"] = ["required": true, "content": mediaContent] as Object
        return [
            "/v1/me/work-orders/{id}/media": ["post": upload] as Object,
            "/v1/work-orders/{id}/media": [
                "get": operation("listMedia", "The order's photos and videos, oldest first (engineer keys: their own orders only)",
                                 tags: ["work-orders"], parameters: [idParameter],
                                 responses: ["200": ["description": "The media", "content": json([
                                     "type": "object", "required": ["items"],
                                     "properties": ["items": ["type": "array", "items": ref("Media")] as Object] as Object,
                                 ])]]),
            ] as Object,
            "/v1/media/{id}/content": [
                "get": operation("downloadMedia",
                                 "The file's bytes, streamed; one byte range may be asked for (video seeking). The ETag is the SHA-256.",
                                 tags: ["work-orders"],
                                 parameters: [idParameter,
                                              ["name": "Range", "in": "header", "required": false, "schema": ["type": "string"],
                                               "description": "bytes=start-end, bytes=start- or bytes=-suffix"] as Object,
                                              ["name": "If-None-Match", "in": "header", "required": false, "schema": ["type": "string"]] as Object],
                                 responses: ["200": ["description": "The whole file", "content": mediaContent],
                                             "206": ["description": "The range asked for (see Content-Range)", "content": mediaContent],
                                             "304": ["description": "The copy the client has is current"],
                                             "416": ["description": "The range starts past the end"]]),
            ] as Object,
        ]
    }

    static var mediaSchemas: Object {
        let uuid: Object = ["type": "string", "format": "uuid"]
        return [
            "Media": [
                "type": "object",
                "required": ["id", "work_order_id", "content_type", "kind", "size_bytes", "sha256", "created_at", "content_url"],
                "properties": ["id": uuid, "work_order_id": uuid,
                               "content_type": ["type": "string", "enum": MediaType.allCases.map(\.rawValue)] as Object,
                               "kind": ["type": "string", "enum": Media.Kind.allCases.map(\.rawValue)] as Object,
                               "size_bytes": ["type": "integer"], "sha256": ["type": "string", "pattern": "^[0-9a-f]{64}$"] as Object,
                               "engineer_id": ["type": ["string", "null"], "format": "uuid"] as Object,
                               "uploaded_by": ["type": ["string", "null"], "format": "uuid", "description": "The API key that uploaded it"] as Object,
                               "created_at": ["type": "string", "format": "date-time"] as Object,
                               "content_url": ["type": "string", "description": "Where to download the bytes"] as Object] as Object,
            ] as Object,
            "ReportPhoto": [
                "type": "object", "required": ["media_id", "sha256", "content_type", "content_url"],
                "properties": ["media_id": uuid, "sha256": ["type": "string"], "content_type": ["type": "string"],
                               "content_url": ["type": "string"]] as Object,
            ] as Object,
        ]
    }
}
