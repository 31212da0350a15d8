import Foundation
import HTTPServer
import PitstopStore

/// Response shapes shared by the record routes: one record with its version as ETag, a created
/// record with its Location, and a page of records with the cursor for the next.
extension HTTPResponse {
    static func record(_ body: some Encodable, version: Int, status: Int = 200) throws -> HTTPResponse {
        var response = try HTTPResponse.json(body, status: status)
        response.headers.add("ETag", "\"\(version)\"")
        return response
    }

    static func created(_ body: some Encodable, version: Int, location: String) throws -> HTTPResponse {
        var response = try record(body, version: version, status: 201)
        response.headers.add("Location", location)
        return response
    }

    /// `records` were fetched with `limit + 1`, so one more than fits means there is a next page.
    static func page<Record, Body: Encodable>(_ records: [Record], limit: Int, cursor: (Record) -> PageCursor,
                                              body: (Record) -> Body) throws -> HTTPResponse {
        let items = records.prefix(limit)
        let next = records.count > limit ? items.last.map { cursor($0).encoded } : nil
        return try .json(Page(items: items.map(body), nextCursor: next))
    }
}
