import Foundation
import HTTPServer
import PitstopCore
import PitstopStore

extension APIApplication {
    /// Lines one bulk request may hold, and its largest body.
    static let bulkLineLimit = 10_000
    static let bulkByteLimit = 32 << 20

    /// `POST path` with an NDJSON body (`application/x-ndjson`): each line is one record with its
    /// `external_id`, upserted in a savepoint of its own (a hundred lines share a transaction), so
    /// a bad line never stops the good ones. The answer has a line for each (blank lines are
    /// skipped), streamed as the batches are stored: `created` or `updated` with the record's id,
    /// or `error` with the status a single request would have had and the fields at fault.
    func bulkRoute(_ path: String, _ upsert: @escaping @Sendable ([UInt8], String, TenantScope) throws -> (UUID, Bool)) -> Router.Route {
        Router.upload("POST", path, preflight: Authenticator.preflight, admission: { [self] request in
            do {
                try Self.requireNDJSON(request)
                try authenticator.withTenantCaller(request, roles: Self.recordWriters) { _, _ in }
                return Self.bulkByteLimit
            } catch {
                throw ErrorMapping.problem(for: error)
            }
        }, ErrorMapping.wrap { [self] request in
            try Self.requireNDJSON(request)
            let caller = try authenticator.withTenantCaller(request, roles: Self.recordWriters) { caller, _ in caller }
            let lines = try Self.ndjsonLines(request.upload?.contents() ?? [])
            guard lines.count <= Self.bulkLineLimit else {
                throw ValidationError(field: "body", "has \(lines.count) lines; send at most \(Self.bulkLineLimit) a request")
            }
            let tenant = caller.tenant.id
            // Each batch's answers go out as soon as it is stored; a client that hangs up stops
            // the import at the next batch (what was stored stays, and a retry only updates it).
            return .streamed(headers: HTTPHeaders([("Content-Type", "application/x-ndjson; charset=utf-8")])) { [self] stream in
                var start = 0
                while start < lines.count {
                    let batch = Array(lines[start..<min(start + Self.bulkBatch, lines.count)])
                    var answer: [UInt8] = []
                    for result in bulkBatch(batch, tenant: tenant, upsert) {
                        answer += try JSONCoding.encode(result) + [0x0A]
                    }
                    try stream.write(answer)
                    start += Self.bulkBatch
                }
            }
        })
    }

    /// Lines stored a transaction at a time, so a hundred lines share one commit.
    static let bulkBatch = 100

    /// A batch of lines in one transaction, each in a savepoint of its own: a bad line is undone
    /// alone. Should the batch itself fail (its commit, say), its lines are stored one by one.
    private func bulkBatch(_ batch: [(number: Int, line: [UInt8])], tenant: UUID,
                           _ upsert: ([UInt8], String, TenantScope) throws -> (UUID, Bool)) -> [BulkLineResult] {
        do {
            return try database.withTenant(tenant) { scope in
                batch.map { number, line in bulkLine(number: number, line: line) { externalID in try scope.savepoint { try upsert(line, externalID, scope) } } }
            }
        } catch {
            logger.warning("a bulk batch failed; storing its lines one by one", ["error": .string("\(error)")])
            return batch.map { number, line in
                bulkLine(number: number, line: line) { externalID in try database.withTenant(tenant) { try upsert(line, externalID, $0) } }
            }
        }
    }

    private func bulkLine(number: Int, line: [UInt8], _ store: (String) throws -> (UUID, Bool)) -> BulkLineResult {
        var externalID: String?
        do {
            externalID = try Self.lineExternalID(line)
            let (id, created) = try store(externalID ?? "")
            return BulkLineResult(line: number, status: created ? "created" : "updated", externalId: externalID, id: id)
        } catch {
            guard let problem = ErrorMapping.problem(for: error) as? Problem else {
                logger.error("a bulk line failed", ["line": .int(number), "error": .string("\(error)")])
                return BulkLineResult(line: number, status: "error", externalId: externalID, code: 500,
                                      detail: "the server failed to store this line; send it again")
            }
            return BulkLineResult(line: number, status: "error", externalId: externalID, code: problem.status, detail: problem.detail,
                                  errors: problem.errors.isEmpty ? nil : problem.errors)
        }
    }

    static func requireNDJSON(_ request: HTTPRequest) throws {
        guard request.headers["Content-Type"]?.lowercased().hasPrefix("application/x-ndjson") == true else {
            throw Problem(status: 415, type: "unsupported-media-type", title: "Unsupported media type",
                          detail: "send one JSON object a line as application/x-ndjson",
                          errors: [.init(field: "Content-Type", message: "must be application/x-ndjson")])
        }
    }

    /// The non-blank lines of an NDJSON body with their 1-based numbers (a final newline or a
    /// CRLF ending is fine).
    static func ndjsonLines(_ body: [UInt8]) -> [(number: Int, line: [UInt8])] {
        var lines: [(Int, [UInt8])] = []
        var number = 0
        for slice in body.split(separator: 0x0A, omittingEmptySubsequences: false) {
            number += 1
            var line = Array(slice)
            if line.last == 0x0D { line.removeLast() }
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            lines.append((number, line))
        }
        return lines
    }

    /// The line's `external_id`, which every bulk line needs.
    static func lineExternalID(_ line: [UInt8]) throws -> String {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else {
            throw Problem.badRequest("the line is not a JSON object")
        }
        guard let externalID = object["external_id"] as? String, (1...100).contains(externalID.count) else {
            throw ValidationError(field: "external_id", "is required on every line: 1 to 100 characters naming the record in your system")
        }
        return externalID
    }
}

struct BulkLineResult: Encodable {
    var line: Int
    var status: String
    var externalId: String?
    var id: UUID?
    /// The HTTP status a single request for this line would have had.
    var code: Int?
    var detail: String?
    var errors: [Problem.FieldIssue]?
}
