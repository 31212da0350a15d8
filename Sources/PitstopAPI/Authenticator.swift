import Foundation
import HTTPServer
import PitstopCore
import PitstopStore
import Synchronization

/// The caller of a tenant route, as established inside the route's transaction.
public struct TenantCaller: Sendable {
    public var key: APIKey
    public var tenant: Tenant
}

/// Reads `Authorization: Bearer <key>`, slows down addresses that keep presenting wrong keys,
/// and opens the transaction a tenant route runs in.
///
/// The throttle counts only failures, per client address. A key that authenticated recently is
/// remembered (by its hash) and never throttled, so an owner sharing an address with someone
/// guessing keeps working.
final class Authenticator: Sendable {
    private let database: Database
    private let platformKeySHA256: String?
    private let throttle = Mutex(KeyedTokenBuckets(capacity: 10, refillPerSecond: 1))
    private let recentlyValid = Mutex(Set<String>())
    private static let recentlyValidLimit = 10_000

    init(database: Database, platformKeySHA256: String?) {
        self.database = database
        self.platformKeySHA256 = platformKeySHA256
    }

    /// Runs `body` for a tenant key whose role is in `roles`, in one transaction scoped to the
    /// key's tenant. 401 for a missing, malformed, unknown or revoked key; 403 for a known key
    /// whose role may not do this.
    func withTenantCaller<T>(_ request: HTTPRequest, roles: Set<Role>,
                             _ body: (TenantCaller, TenantScope) throws -> T) throws -> T {
        let (text, hash, known) = try presentedKey(request)
        guard case .tenant(let tenantID, let prefix)? = APIKeyText.parse(text) else {
            if case .platform? = APIKeyText.parse(text) {
                throw Problem.forbidden("a platform key cannot act inside a tenant; use a tenant API key")
            }
            throw failure(request, "the API key is malformed")
        }
        // Reads run in read-only transactions, which answer a round trip sooner.
        let readOnly = request.method == "GET" || request.method == "HEAD"
        var authenticated: APIKey?
        defer { if let key = authenticated { stampIfDue(key) } }
        do {
            return try database.withTenant(tenantID, readOnly: readOnly) { scope in
                guard let found = try scope.apiKeys.authenticate(prefix: prefix, keySHA256: hash) else {
                    throw UnknownKey()
                }
                authenticated = found.key
                if !known { remember(hash) }
                guard roles.contains(found.key.role) else {
                    throw Problem.forbidden("role \(found.key.role.rawValue) may not do this; it needs one of \(roles.map(\.rawValue).sorted().joined(separator: ", "))")
                }
                return try body(TenantCaller(key: found.key, tenant: found.tenant), scope)
            }
        } catch is UnknownKey {
            throw failure(request, "the API key is not valid or was revoked")
        }
    }

    /// Stamps `last_used_at` in a transaction of its own, so that it neither turns reads into
    /// writes nor is lost when the request's own transaction rolls back. Runs at most once a
    /// minute per key; a failure is not the caller's problem, and the next request tries again
    /// because the stamp stays stale.
    private func stampIfDue(_ key: APIKey) {
        let now = Date()
        guard APIKeyRepository.needsStamp(key, now: now) else { return }
        _ = try? database.withTenant(key.tenantID) { try $0.apiKeys.stampLastUsed(id: key.id, at: now) }
    }

    /// Checks a platform key: one from the database, or the one whose hash is configured.
    func requirePlatformKey(_ request: HTTPRequest) throws {
        let (text, hash, _) = try presentedKey(request)
        guard case .platform(let prefix)? = APIKeyText.parse(text) else {
            if case .tenant? = APIKeyText.parse(text) {
                throw Problem.forbidden("this needs a platform key; tenant keys cannot create tenants")
            }
            throw failure(request, "the API key is malformed")
        }
        if let configured = platformKeySHA256, KeySecret.matches(storedSHA256: configured, presentedSHA256: hash) {
            remember(hash)
            return
        }
        guard try database.withPlatform({ try $0.platformKeys.authenticate(prefix: prefix, keySHA256: hash) }) != nil else {
            throw failure(request, "the platform key is not valid or was revoked")
        }
        remember(hash)
    }

    private struct UnknownKey: Error {}

    /// The key text, its SHA-256 and whether it authenticated recently, after the throttle has
    /// had its say.
    private func presentedKey(_ request: HTTPRequest) throws -> (text: String, sha256: String, recentlyValid: Bool) {
        let text: String
        switch Self.bearer(request.headers) {
        case .success(let key): text = key
        case .failure(let problem) where request.headers["Authorization"] == nil: throw problem
        case .failure(let problem): throw failure(request, problem.detail)
        }
        let hash = KeySecret.sha256(of: text)
        let known = recentlyValid.withLock { $0.contains(hash) }
        if !known {
            let wait = throttle.withLock { $0.retryAfter(request.clientAddress, now: Self.now()) }
            if wait > 0 {
                throw Problem.tooManyRequests(retryAfter: Int(wait.rounded(.up)), "too many failed authentication attempts from this address")
            }
        }
        return (text, hash, known)
    }

    /// The key text of `Authorization: Bearer <key>`, or the 401 to answer.
    static func bearer(_ headers: HTTPHeaders) -> Result<String, Problem> {
        guard let header = headers["Authorization"] else {
            return .failure(.unauthorized("send an API key as Authorization: Bearer <key>"))
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            return .failure(.unauthorized("the Authorization header must be Bearer <key>"))
        }
        return .success(parts[1].trimmingCharacters(in: .whitespaces))
    }

    /// Routes that need a key refuse a request without one from its headers, before its body is
    /// read: a client with no key cannot hold a connection open with a slow upload.
    static let preflight: Preflight = { headers in
        if case .failure(let problem) = bearer(headers) { return problem }
        return nil
    }

    private func failure(_ request: HTTPRequest, _ detail: String) -> Problem {
        throttle.withLock { _ = $0.take(request.clientAddress, now: Self.now()) }
        return Problem.unauthorized(detail)
    }

    private func remember(_ hash: String) {
        recentlyValid.withLock { set in
            if set.count >= Self.recentlyValidLimit { set.removeAll() }
            set.insert(hash)
        }
    }

    private static func now() -> Double {
        Double(DispatchTime.now().uptimeNanoseconds) / 1e9
    }
}
