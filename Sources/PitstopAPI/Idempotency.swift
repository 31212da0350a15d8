import Crypto
import Foundation
import HTTPServer
import PitstopStore

extension APIApplication {
    /// Runs a creating handler under the request's `Idempotency-Key`, if it sent one: the key is
    /// claimed in the handler's transaction, so the key and what it creates commit together. A
    /// retry with the same key and the same request gets the first response again (with
    /// `Idempotent-Replayed: true`); the same key with a different request is a 422.
    ///
    /// A response that shows a secret once (an API key, a webhook's signing secret, a link's
    /// token) is remembered without the members named in `secrets`: the replay says the record was
    /// made, and the secret is never written to the idempotency table nor shown twice.
    func idempotent(_ request: HTTPRequest, _ scope: TenantScope, secrets: Set<String> = [],
                    _ create: () throws -> HTTPResponse) throws -> HTTPResponse {
        guard let key = request.headers["Idempotency-Key"] else { return try create() }
        guard Self.isIdempotencyKey(key) else {
            throw Problem.badRequest("Idempotency-Key must be 1 to 255 visible ASCII characters", field: "Idempotency-Key")
        }
        // An upload's body is on disk; its hash stands for it.
        let fingerprint = Digest.sha256(Array("\(request.method) \(request.path)\n".utf8) + request.body
                                        + Array((request.upload?.sha256 ?? "").utf8)).hex
        switch try scope.idempotencyKeys.claim(key: key, requestHash: fingerprint) {
        case .mismatch:
            throw Problem(status: 422, type: "idempotency-key-reused", title: "Idempotency-Key reused",
                          detail: "this Idempotency-Key was used for a different request; use a new key for a new request",
                          errors: [.init(field: "Idempotency-Key", message: "was used for a different request")])
        case .replay(let status, let body, let location):
            var response = HTTPResponse(status: status, headers: HTTPHeaders([("Content-Type", "application/json")]), body: Array(body.utf8))
            if let location { response.headers.add("Location", location) }
            response.headers.add("Idempotent-Replayed", "true")
            return response
        case .claimed:
            let response = try create()
            let remembered = secrets.isEmpty ? response.body : Self.without(secrets, response.body)
            try scope.idempotencyKeys.complete(key: key, status: response.status, body: String(decoding: remembered, as: UTF8.self),
                                               location: response.headers["Location"])
            return response
        }
    }

    /// What an Idempotency-Key may be: 1 to 255 visible ASCII characters.
    static func isIdempotencyKey(_ key: String) -> Bool {
        (1...255).contains(key.utf8.count) && key.utf8.allSatisfy { (33...126).contains($0) }
    }

    /// A JSON object's bytes with the members `names` removed.
    static func without(_ names: Set<String>, _ body: [UInt8]) -> [UInt8] {
        guard var object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] else { return [] }
        for name in names { object.removeValue(forKey: name) }
        return (try? Array(JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))) ?? []
    }
}
