import Foundation

/// An article of a tenant's knowledge base: how a known fault shows and how it is fixed.
public struct KnowledgeArticle: Sendable, Equatable {
    /// A vehicle an article applies to: a make, or a make and model.
    public struct Fit: Sendable, Equatable, Codable {
        public var make: String
        public var model: String?

        public init(make: String, model: String? = nil) {
            self.make = make
            self.model = model
        }
    }

    public var id: UUID
    public var title: String
    public var body: String
    public var tags: [String]
    public var symptoms: [String]
    /// Empty: fits every vehicle.
    public var fits: [Fit]
    public var createdAt: Date
    public var updatedAt: Date
    public var version: Int

    public init(id: UUID, title: String, body: String, tags: [String], symptoms: [String], fits: [Fit], createdAt: Date,
                updatedAt: Date, version: Int) {
        self.id = id
        self.title = title
        self.body = body
        self.tags = tags
        self.symptoms = symptoms
        self.fits = fits
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.version = version
    }
}

/// An article as written, checked before it is stored.
public struct KnowledgeArticleInput: Sendable, Equatable {
    public var title: String
    public var body: String
    public var tags: [String]
    public var symptoms: [String]
    public var fits: [KnowledgeArticle.Fit]

    public init(title: String, body: String, tags: [String] = [], symptoms: [String] = [], fits: [KnowledgeArticle.Fit] = []) {
        self.title = title.trimmingCharacters(in: .whitespacesAndNewlines)
        self.body = body
        self.tags = tags.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        self.symptoms = symptoms.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        self.fits = fits.map { KnowledgeArticle.Fit(make: $0.make.trimmingCharacters(in: .whitespacesAndNewlines),
                                                    model: $0.model?.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    public var errors: [FieldError] {
        var errors = TextRules.lengthErrors(title, field: "title", limit: 200)
        if body.count > 50_000 { errors.append(FieldError(field: "body", message: "must be at most 50000 characters")) }
        for (field, list, limit) in [("tags", tags, 20), ("symptoms", symptoms, 30)] {
            if list.count > limit { errors.append(FieldError(field: field, message: "must list at most \(limit)")) }
            for (index, item) in list.enumerated() {
                errors += TextRules.lengthErrors(item, field: "\(field)[\(index)]", limit: 100)
            }
        }
        if fits.count > 50 { errors.append(FieldError(field: "fits", message: "must list at most 50 makes or models")) }
        for (index, fit) in fits.enumerated() {
            errors += TextRules.lengthErrors(fit.make, field: "fits[\(index)].make", limit: 100)
            errors += TextRules.lengthErrors(fit.model, field: "fits[\(index)].model", limit: 100)
        }
        return errors
    }

    /// What suggestions compare an order with: the title, symptoms and tags.
    public var searchText: String {
        ([title] + symptoms + tags).joined(separator: " ")
    }
}
