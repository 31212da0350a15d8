import Foundation
import HTTPServer
import PitstopCore
import PitstopServices
import PitstopStore

extension APIApplication {
    /// The knowledge base (staff and integrations write it; every role reads it) and similar-case
    /// suggestions for an order.
    var knowledgeRoutes: [Router.Route] {
        [
            tenantRoute("POST", "/v1/knowledge-articles", roles: Self.recordWriters) { [self] request, _, scope in
                try idempotent(request, scope) {
                    let input = try KnowledgeArticleBody.decode(request.body)
                    let article = try ChainSetup(scope: scope).createArticle(input)
                    return try .created(KnowledgeArticleBody(article), version: article.version,
                                        location: "/v1/knowledge-articles/\(article.id.lowercasedText)")
                }
            },
            tenantRoute("GET", "/v1/knowledge-articles", roles: Self.allRoles) { request, _, scope in
                let page = try PageRequest(request)
                let articles = try scope.knowledge.list(tag: request.queryValue("tag"), limit: page.limit + 1, after: page.cursor)
                return try .page(articles, limit: page.limit, cursor: { PageCursor(createdAt: $0.createdAt, id: $0.id) },
                                 body: KnowledgeArticleBody.init)
            },
            tenantRoute("GET", "/v1/knowledge-articles/{id}", roles: Self.allRoles) { request, _, scope in
                let article = try scope.knowledge.get(id: try Self.pathID(request, "knowledge article"))
                return try .record(KnowledgeArticleBody(article), version: article.version)
            },
            tenantRoute("PUT", "/v1/knowledge-articles/{id}", roles: Self.recordWriters) { request, _, scope in
                let id = try Self.pathID(request, "knowledge article")
                let version = try Self.ifMatchVersion(request)
                let article = try ChainSetup(scope: scope).replaceArticle(id, expectedVersion: version, try KnowledgeArticleBody.decode(request.body))
                return try .record(KnowledgeArticleBody(article), version: article.version)
            },
            tenantRoute("DELETE", "/v1/knowledge-articles/{id}", roles: Self.recordWriters) { request, _, scope in
                try scope.knowledge.delete(id: try Self.pathID(request, "knowledge article"))
                return .noContent()
            },
            tenantRoute("GET", "/v1/work-orders/{id}/suggestions", roles: Self.allRoles) { request, caller, scope in
                let order = try Self.readableOrder(request, caller, scope)
                let found = try scope.knowledge.suggestions(for: order.id, limit: 5)
                return try .json(SuggestionsBody(orders: found.orders.map(SimilarOrderBody.init),
                                                 articles: found.articles.map(SimilarArticleBody.init)))
            },
        ]
    }
}

struct KnowledgeArticleBody: Codable {
    var id: UUID?
    var title: String
    var body: String
    var tags: [String]?
    var symptoms: [String]?
    var fits: [KnowledgeArticle.Fit]?
    var createdAt: Date?
    var updatedAt: Date?
    var version: Int?

    static let fields: Set<String> = ["title", "body", "tags", "symptoms", "fits"]

    init(_ article: KnowledgeArticle) {
        id = article.id
        title = article.title
        body = article.body
        tags = article.tags
        symptoms = article.symptoms
        fits = article.fits
        createdAt = article.createdAt
        updatedAt = article.updatedAt
        version = article.version
    }

    /// A request body as a checked input: 400 for what cannot be read, 422 naming each field
    /// that breaks a rule.
    static func decode(_ bytes: [UInt8]) throws -> KnowledgeArticleInput {
        let body = try JSONCoding.decode(Self.self, from: bytes, allowedFields: fields)
        return KnowledgeArticleInput(title: body.title, body: body.body, tags: body.tags ?? [], symptoms: body.symptoms ?? [], fits: body.fits ?? [])
    }
}

struct SuggestionsBody: Encodable {
    var orders: [SimilarOrderBody]
    var articles: [SimilarArticleBody]
}

struct SimilarOrderBody: Encodable {
    var id: UUID
    var number: String
    var description: String
    var diagnosis: String?
    var workPerformed: String?
    var completedAt: Date?
    var score: Double

    init(_ order: KnowledgeRepository.SimilarOrder) {
        id = order.id
        number = order.number
        description = order.description
        diagnosis = order.diagnosis
        workPerformed = order.workPerformed
        completedAt = order.completedAt
        score = (order.score * 1000).rounded() / 1000
    }
}

struct SimilarArticleBody: Encodable {
    var id: UUID
    var title: String
    var tags: [String]
    var symptoms: [String]
    var score: Double

    init(_ found: KnowledgeRepository.SimilarArticle) {
        id = found.article.id
        title = found.article.title
        tags = found.article.tags
        symptoms = found.article.symptoms
        score = (found.score * 1000).rounded() / 1000
    }
}
