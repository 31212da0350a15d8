import Foundation
import Postgres

/// Writes events into the transactional outbox, in the transaction of the change that caused
/// them. The event id is what receivers de-duplicate on.
struct Outbox {
    let transaction: Transaction
    let tenantID: UUID

    @discardableResult
    func append(topic: String, aggregateID: UUID, payload: some Encodable) throws -> UUID {
        let id = UUID()
        try transaction.execute("""
            INSERT INTO outbox (tenant_id, id, topic, aggregate_id, payload)
            VALUES (\(tenantID), \(id), \(topic), \(aggregateID), \(JSONB(EncodableBox(payload)))::jsonb)
            """)
        return id
    }
}

/// JSONB needs a Codable value; event payloads are only ever encoded.
private struct EncodableBox<Value: Encodable>: Codable {
    let value: Value

    init(_ value: Value) { self.value = value }

    init(from decoder: Decoder) throws {
        throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "outbox payloads are write-only"))
    }

    func encode(to encoder: Encoder) throws {
        try value.encode(to: encoder)
    }
}
