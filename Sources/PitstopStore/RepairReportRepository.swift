import Foundation
import PitstopCore
import Postgres

/// The scope tenant's repair reports: every version an engineer saved, with its photos.
public struct RepairReportRepository {
    let transaction: Transaction
    let tenantID: UUID

    /// Saves version `version` of the order's repair report, with its photos. The caller holds
    /// the order's row lock, so two authors cannot both build on one version. `orderMedia` is
    /// what was uploaded for the order, which the photos name (the use case has checked them
    /// with `RepairReport.photoErrors`).
    public func save(id: UUID, version: Int, diagnosis: String, workPerformed: String, labour: [RepairReport.LabourLine],
                     parts: [RepairReport.PartLine], mileageKm: Int?, beforePhotos: [UUID] = [], afterPhotos: [UUID] = [],
                     orderMedia media: [Media] = [], actor: UUID?, now: Date = Date()) throws -> RepairReport {
        var report = try Self.decodeReport(transaction.query("""
            INSERT INTO work_order_reports (tenant_id, work_order_id, version, diagnosis, work_performed, labour, parts, mileage_km,
                                            author_key_id, created_at)
            VALUES (\(tenantID), \(id), \(version), \(diagnosis.trimmingCharacters(in: .whitespacesAndNewlines)),
                    \(workPerformed.trimmingCharacters(in: .whitespacesAndNewlines)), \(JSONB(labour))::jsonb, \(JSONB(parts))::jsonb,
                    \(mileageKm), \(actor), \(now))
            RETURNING \(unsafeRaw: Self.reportColumns)
            """)[0])
        let byID = Dictionary(media.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for (stage, ids) in [("before", beforePhotos), ("after", afterPhotos)] {
            for (position, mediaID) in ids.enumerated() {
                try transaction.execute("""
                    INSERT INTO work_order_report_photos (tenant_id, work_order_id, report_version, stage, position, media_id)
                    VALUES (\(tenantID), \(id), \(report.version), \(stage), \(position), \(mediaID))
                    """)
            }
        }
        report.beforePhotos = beforePhotos.compactMap { byID[$0].map(Self.photo) }
        report.afterPhotos = afterPhotos.compactMap { byID[$0].map(Self.photo) }
        return report
    }

    static let reportColumns = "work_order_id, version, diagnosis, work_performed, labour, parts, mileage_km, author_key_id, created_at"

    /// Every version of the order's repair report, newest first, with its photos.
    public func reports(id: UUID) throws -> [RepairReport] {
        var reports = try transaction.query("""
            SELECT \(unsafeRaw: Self.reportColumns) FROM work_order_reports
            WHERE tenant_id = \(tenantID) AND work_order_id = \(id) ORDER BY version DESC
            """).rows.map(Self.decodeReport)
        guard !reports.isEmpty else { return reports }
        let photos = try transaction.query("""
            SELECT p.report_version, p.stage, m.id, m.work_order_id, m.content_type, m.size_bytes, m.sha256, m.engineer_id,
                   m.uploaded_by, m.created_at, m.purged_at
            FROM work_order_report_photos p
            JOIN work_order_media m ON m.tenant_id = p.tenant_id AND m.id = p.media_id
            WHERE p.tenant_id = \(tenantID) AND p.work_order_id = \(id)
            ORDER BY p.report_version, p.stage, p.position
            """)
        let index = Dictionary(uniqueKeysWithValues: reports.enumerated().map { ($1.version, $0) })
        for row in photos.rows {
            let version: Int = try row.decode("report_version")
            let stage: String = try row.decode("stage")
            guard let at = index[version] else { continue }
            let photo = Self.photo(try MediaRepository.decode(row))
            if stage == "before" { reports[at].beforePhotos.append(photo) } else { reports[at].afterPhotos.append(photo) }
        }
        return reports
    }

    static func photo(_ media: Media) -> RepairReport.Photo {
        RepairReport.Photo(mediaID: media.id, sha256: media.sha256, type: media.type)
    }

    static func decodeReport(_ row: Row) throws -> RepairReport {
        RepairReport(workOrderID: try row.decode("work_order_id"), version: try row.decode("version"), diagnosis: try row.decode("diagnosis"),
                     workPerformed: try row.decode("work_performed"), labour: try row.decodeJSON("labour"), parts: try row.decodeJSON("parts"),
                     mileageKm: try row.decode("mileage_km"), authorKeyID: try row.decode("author_key_id"), createdAt: try row.decode("created_at"))
    }
}
