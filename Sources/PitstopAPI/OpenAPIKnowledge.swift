import Foundation

/// The OpenAPI description of the knowledge base and similar-case suggestions.
extension OpenAPIDocument {
    static var knowledgePaths: Object {
        [
            "/v1/knowledge-articles": [
                "post": operation("createKnowledgeArticle", "Write an article (admin, dispatcher, integration)", tags: ["knowledge"],
                                  parameters: [idempotencyKey], body: ref("KnowledgeArticleInput"),
                                  responses: ["201": ["description": "Created", "content": json(ref("KnowledgeArticle"))]]),
                "get": operation("listKnowledgeArticles", "Articles, newest first", tags: ["knowledge"],
                                 parameters: pageParameters + [query("tag", "only articles with this tag")],
                                 responses: ["200": ["description": "A page of articles", "content": json(pageOf("KnowledgeArticle"))]]),
            ] as Object,
            "/v1/knowledge-articles/{id}": [
                "get": operation("getKnowledgeArticle", "An article, with its version as ETag", tags: ["knowledge"], parameters: [idParameter],
                                 responses: ["200": ["description": "The article", "content": json(ref("KnowledgeArticle"))]]),
                "put": operation("replaceKnowledgeArticle", "Replace an article (admin, dispatcher, integration)", tags: ["knowledge"],
                                 parameters: [idParameter, ifMatch], body: ref("KnowledgeArticleInput"),
                                 responses: ["200": ["description": "The article", "content": json(ref("KnowledgeArticle"))]]),
                "delete": operation("deleteKnowledgeArticle", "Remove an article (admin, dispatcher, integration)", tags: ["knowledge"],
                                    parameters: [idParameter], responses: ["204": ["description": "Removed"]]),
            ] as Object,
            "/v1/work-orders/{id}/suggestions": [
                "get": operation("getSuggestions",
                                 "The resolved orders (with diagnosis and work performed) and articles most like this order's description, "
                                     + "by trigram similarity (works on Chinese text), ranked higher when they fit its vehicle's make and model; "
                                     + "five of each at most, from this tenant only",
                                 tags: ["knowledge"], parameters: [idParameter],
                                 responses: ["200": ["description": "Suggestions", "content": json(ref("Suggestions"))]]),
            ] as Object,
        ]
    }

    static var knowledgeSchemas: Object {
        let uuid: Object = ["type": "string", "format": "uuid"]
        let timestamp: Object = ["type": "string", "format": "date-time"]
        let strings: (Int) -> Object = { ["type": "array", "maxItems": $0, "items": ["type": "string", "minLength": 1, "maxLength": 100] as Object] }
        let score: Object = ["type": "number", "description": "Similarity (0–1) plus 0.1 for the vehicle's make and 0.1 more for its model"]
        return [
            "KnowledgeArticleInput": [
                "type": "object", "required": ["title", "body"], "additionalProperties": false,
                "properties": ["title": ["type": "string", "minLength": 1, "maxLength": 200] as Object,
                               "body": ["type": "string", "maxLength": 50000] as Object,
                               "tags": strings(20), "symptoms": strings(30), "fits": fitsSchema] as Object,
            ] as Object,
            "KnowledgeArticle": [
                "type": "object", "required": ["id", "title", "body", "tags", "symptoms", "fits", "created_at", "updated_at", "version"],
                "properties": ["id": uuid, "title": ["type": "string"], "body": ["type": "string"], "tags": strings(20),
                               "symptoms": strings(30), "fits": fitsSchema, "created_at": timestamp, "updated_at": timestamp,
                               "version": ["type": "integer"]] as Object,
            ] as Object,
            "Suggestions": [
                "type": "object", "required": ["orders", "articles"],
                "properties": [
                    "orders": ["type": "array", "items": [
                        "type": "object", "required": ["id", "number", "description", "score"],
                        "properties": ["id": uuid, "number": ["type": "string"], "description": ["type": "string"],
                                       "diagnosis": ["type": "string"], "work_performed": ["type": "string"], "completed_at": timestamp,
                                       "score": score] as Object,
                    ] as Object] as Object,
                    "articles": ["type": "array", "items": [
                        "type": "object", "required": ["id", "title", "tags", "symptoms", "score"],
                        "properties": ["id": uuid, "title": ["type": "string"], "tags": strings(20), "symptoms": strings(30),
                                       "score": score] as Object,
                    ] as Object] as Object,
                ] as Object,
            ] as Object,
        ]
    }
}
