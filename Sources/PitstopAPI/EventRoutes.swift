import Foundation
import HTTPServer
import PitstopCore
import PitstopStore

extension APIApplication {
    /// The changes feed: every event of the tenant in a fixed order, for integrations that would
    /// rather poll than receive webhooks. Poll with the `next_cursor` of the previous answer; an
    /// empty page keeps the cursor, so the next poll starts where this one stopped.
    var eventRoutes: [Router.Route] {
        [
            tenantRoute("GET", "/v1/events", roles: [.admin, .dispatcher, .integration, .readonly]) { request, _, scope in
                let query = try FeedQuery(request)
                let events = try scope.events.feed(after: query.after, types: query.types, limit: query.limit)
                return try .json(EventPage(items: events.map(EventBody.init), nextCursor: (events.last?.cursor ?? query.after)?.encoded))
            },
        ]
    }
}

struct FeedQuery {
    static let maximumLimit = 1000
    var after: FeedCursor?
    var types: [String] = []
    var limit = 100

    init(_ request: HTTPRequest) throws {
        var errors: [Problem.FieldIssue] = []
        if let text = request.queryValue("after") {
            after = FeedCursor(encoded: text)
            if after == nil { errors.append(.init(field: "after", message: "is not a cursor this API returned")) }
        }
        if let text = request.queryValue("limit") {
            if let value = Int(text), (1...Self.maximumLimit).contains(value) { limit = value } else {
                errors.append(.init(field: "limit", message: "must be a whole number from 1 to \(Self.maximumLimit)"))
            }
        }
        if let text = request.queryValue("type") {
            types = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            let unknown = types.filter { EventType(rawValue: $0) == nil }
            if !unknown.isEmpty {
                errors.append(.init(field: "type", message: "names unknown event types (\(unknown.joined(separator: ", "))); see the Event schema's catalogue"))
            }
        }
        if !errors.isEmpty {
            throw Problem.badQuery(errors)
        }
    }
}

struct EventPage: Encodable {
    var items: [EventBody]
    var nextCursor: String?
}

/// An event as the feed and webhooks carry it: its id (stable: de-duplicate on it), type, when it
/// happened, and what it says.
struct EventBody: Encodable {
    var id: UUID
    var type: String
    var timestamp: Date
    var data: JSONValue

    init(_ event: EventRepository.Event) {
        id = event.id
        type = event.type
        timestamp = event.occurredAt
        data = event.data
    }
}
