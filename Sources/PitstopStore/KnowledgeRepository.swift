import Foundation
import PitstopCore
import Postgres

/// The scope tenant's knowledge base, and similar cases for an order: resolved orders whose
/// description is near the order's, and articles whose title, symptoms and tags are, by trigram
/// similarity, with a bonus for fitting the order's vehicle.
public struct KnowledgeRepository {
    let transaction: Transaction
    let tenantID: UUID

    static let columns = "id, title, body, tags, symptoms, fits, created_at, updated_at, version"

    public func create(_ input: KnowledgeArticleInput) throws -> KnowledgeArticle {
        try Self.decode(transaction.query("""
            INSERT INTO knowledge_articles (tenant_id, id, title, body, tags, symptoms, fits, search_text)
            VALUES (\(tenantID), \(UUID()), \(input.title), \(input.body), \(input.tags)::text[], \(input.symptoms)::text[],
                    \(JSONB(input.fits))::jsonb, \(input.searchText))
            RETURNING \(unsafeRaw: Self.columns)
            """)[0])
    }

    public func get(id: UUID) throws -> KnowledgeArticle {
        let rows = try transaction.query("SELECT \(unsafeRaw: Self.columns) FROM knowledge_articles WHERE tenant_id = \(tenantID) AND id = \(id)")
        guard let row = rows.first else { throw StoreError.notFound("knowledge article") }
        return try Self.decode(row)
    }

    /// Newest first; with `tag`, only articles carrying it.
    public func list(tag: String?, limit: Int, after: PageCursor?) throws -> [KnowledgeArticle] {
        try transaction.query("""
            SELECT \(unsafeRaw: Self.columns) FROM knowledge_articles
            WHERE tenant_id = \(tenantID) AND (\(tag)::text IS NULL OR tags @> ARRAY[\(tag)::text])
              AND (\(after?.createdAt)::timestamptz IS NULL OR (created_at, id) < (\(after?.createdAt)::timestamptz, \(after?.id)::uuid))
            ORDER BY created_at DESC, id DESC
            LIMIT \(limit)
            """).rows.map(Self.decode)
    }

    public func replace(id: UUID, expectedVersion: Int, _ input: KnowledgeArticleInput) throws -> KnowledgeArticle {
        let rows = try transaction.query("""
            UPDATE knowledge_articles SET title = \(input.title), body = \(input.body), tags = \(input.tags)::text[],
                symptoms = \(input.symptoms)::text[], fits = \(JSONB(input.fits))::jsonb, search_text = \(input.searchText),
                updated_at = now(), version = version + 1
            WHERE tenant_id = \(tenantID) AND id = \(id) AND version = \(expectedVersion)
            RETURNING \(unsafeRaw: Self.columns)
            """)
        if let row = rows.first { return try Self.decode(row) }
        throw try RecordVersion.failure(transaction, table: "knowledge_articles", tenantID: tenantID, id: id, what: "knowledge article")
    }

    public func delete(id: UUID) throws {
        guard try transaction.execute("DELETE FROM knowledge_articles WHERE tenant_id = \(tenantID) AND id = \(id)") == 1 else {
            throw StoreError.notFound("knowledge article")
        }
    }

    static func decode(_ row: Row) throws -> KnowledgeArticle {
        KnowledgeArticle(id: try row.decode("id"), title: try row.decode("title"), body: try row.decode("body"), tags: try row.decode("tags"),
                         symptoms: try row.decode("symptoms"), fits: try row.decodeJSON("fits"), createdAt: try row.decode("created_at"),
                         updatedAt: try row.decode("updated_at"), version: try row.decode("version"))
    }
}

extension KnowledgeRepository {
    public struct SimilarOrder: Sendable {
        public var id: UUID
        public var number: String
        public var description: String
        public var diagnosis: String?
        public var workPerformed: String?
        public var completedAt: Date?
        public var score: Double
    }

    public struct SimilarArticle: Sendable {
        public var article: KnowledgeArticle
        public var score: Double
    }

    /// How much nearer a match that fits the order's vehicle ranks: its make, and its model too.
    static let makeBonus = 0.1
    static let modelBonus = 0.1
    /// Matches below this similarity (before the vehicle bonus) share too little to be useful.
    static let floor = 0.08

    /// Up to `limit` resolved orders and articles most like order `workOrder`: the nearest fifty of
    /// each by the GiST index, then ranked by similarity plus the vehicle bonus.
    public func suggestions(for workOrder: UUID, limit: Int) throws -> (orders: [SimilarOrder], articles: [SimilarArticle]) {
        let orders = try transaction.query("""
            WITH me AS (
                SELECT w.id, w.description, v.make, v.model FROM work_orders w
                LEFT JOIN vehicles v ON v.tenant_id = w.tenant_id AND v.id = w.vehicle_id
                WHERE w.tenant_id = \(tenantID) AND w.id = \(workOrder)
            ), near AS (
                SELECT w.id, w.number, w.description, w.completed_at, w.vehicle_id, similarity(w.description, me.description) AS similarity
                FROM work_orders w, me
                WHERE w.tenant_id = \(tenantID) AND w.status = 'completed' AND w.id <> me.id
                ORDER BY w.description <-> me.description
                LIMIT 50
            )
            SELECT near.id, near.number, near.description, near.completed_at, r.diagnosis, r.work_performed,
                   near.similarity + CASE WHEN v.make IS NOT NULL AND v.make = me.make THEN \(Self.makeBonus)::float8 ELSE 0 END
                                   + CASE WHEN v.model IS NOT NULL AND v.make = me.make AND v.model = me.model THEN \(Self.modelBonus)::float8 ELSE 0 END
                       AS score
            FROM near CROSS JOIN me
            LEFT JOIN vehicles v ON v.tenant_id = \(tenantID) AND v.id = near.vehicle_id
            LEFT JOIN LATERAL (SELECT diagnosis, work_performed FROM work_order_reports
                               WHERE tenant_id = \(tenantID) AND work_order_id = near.id ORDER BY version DESC LIMIT 1) r ON true
            WHERE near.similarity >= \(Self.floor)::float8
            ORDER BY score DESC, near.completed_at DESC
            LIMIT \(limit)
            """).rows.map { row in
                SimilarOrder(id: try row.decode("id"), number: try row.decode("number"), description: try row.decode("description"),
                             diagnosis: try row.decode("diagnosis"), workPerformed: try row.decode("work_performed"),
                             completedAt: try row.decode("completed_at"), score: try row.decode("score"))
            }
        let articles = try transaction.query("""
            WITH me AS (
                SELECT w.description, v.make, v.model FROM work_orders w
                LEFT JOIN vehicles v ON v.tenant_id = w.tenant_id AND v.id = w.vehicle_id
                WHERE w.tenant_id = \(tenantID) AND w.id = \(workOrder)
            ), near AS (
                SELECT a.*, greatest(similarity(a.search_text, me.description), word_similarity(a.search_text, me.description)) AS similarity
                FROM knowledge_articles a, me
                WHERE a.tenant_id = \(tenantID)
                ORDER BY a.search_text <-> me.description
                LIMIT 50
            )
            SELECT near.*, near.similarity
                   + CASE WHEN EXISTS (SELECT 1 FROM jsonb_array_elements(near.fits) f WHERE f->>'make' = me.make) THEN \(Self.makeBonus)::float8 ELSE 0 END
                   + CASE WHEN EXISTS (SELECT 1 FROM jsonb_array_elements(near.fits) f WHERE f->>'make' = me.make AND f->>'model' = me.model)
                          THEN \(Self.modelBonus)::float8 ELSE 0 END AS score
            FROM near CROSS JOIN me
            WHERE near.similarity >= \(Self.floor)::float8
            ORDER BY score DESC, near.updated_at DESC
            LIMIT \(limit)
            """).rows.map { SimilarArticle(article: try Self.decode($0), score: try $0.decode("score")) }
        return (orders, articles)
    }
}
