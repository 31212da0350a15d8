import Foundation
import PitstopCore
import PitstopStore

extension OrderLifecycle {
    /// Why the customer cannot sign now.
    public enum SigningRefusal: Error, Equatable, CustomStringConvertible {
        /// Signing comes after the quality check.
        case notAwaitingAcceptance(WorkOrderStatus)
        case noReport
        /// The customer was shown another version than the current one.
        case reportChanged(current: Int)
        /// A signing link is for an order awaiting the customer's acceptance.
        case noLinkYet(WorkOrderStatus)

        public var description: String {
            switch self {
            case .notAwaitingAcceptance(let status): "the customer accepts after the quality check; the order is \(status.rawValue)"
            case .noReport: "there is no repair report to sign yet"
            case .reportChanged(let current): "version \(current) is the current report; show the customer that one and sign it"
            case .noLinkYet(let status): "a signing link is for an order awaiting the customer's acceptance; this one is \(status.rawValue)"
            }
        }
    }

    /// A link (valid `validFor`) for the customer to sign `order` away from the engineer's phone:
    /// only for an order awaiting their acceptance. Returns the link's secret and when it expires.
    public func signingLink(_ order: WorkOrder, validFor: TimeInterval) throws -> (secret: String, expiresAt: Date) {
        guard order.status == .awaitingAcceptance else { throw SigningRefusal.noLinkYet(order.status) }
        return try scope.acceptances.createLink(id: order.id, validFor: validFor, now: now)
    }

    /// The customer signs report `reportVersion` of `order` (on the engineer's phone or through
    /// their link): the signature, checked (`signatureType` and the image in base64), is kept
    /// with the SHA-256 of the report as they were shown it (`reportHash`, the API's rendering),
    /// and the order completes, in one transaction. `shownSHA256`, when the caller knows it (the
    /// signing page does), must be that report's hash: the signature binds what was on screen.
    public func sign(_ order: WorkOrder, signerName: String, reportVersion: Int, shownSHA256: String? = nil, signatureType: String,
                     signatureBase64: String, reportHash: (RepairReport) throws -> String) throws -> (WorkOrder, AcceptanceRepository.Acceptance) {
        guard order.status == .awaitingAcceptance else { throw SigningRefusal.notAwaitingAcceptance(order.status) }
        var errors = TextRules.nameErrors(signerName, field: "signer_name")
        let kind = Signature.Kind(rawValue: signatureType)
        if kind == nil { errors.append(FieldError(field: "signature_type", message: "must be image/png or image/svg+xml")) }
        let bytes = Data(base64Encoded: signatureBase64).map { Array($0) }
        if bytes == nil { errors.append(FieldError(field: "signature", message: "must be the image in base64")) }
        if let kind, let bytes, let problem = Signature(kind: kind, bytes: bytes).problem {
            errors.append(FieldError(field: "signature", message: problem))
        }
        guard errors.isEmpty, let kind, let bytes else { throw ValidationError(errors) }
        guard let report = try scope.repairReports.reports(id: order.id).first else { throw SigningRefusal.noReport }
        let hash = try reportHash(report)
        guard report.version == reportVersion, shownSHA256.map({ $0.lowercased() == hash }) ?? true else {
            throw SigningRefusal.reportChanged(current: report.version)
        }
        let accepted = try scope.acceptances.accept(id: order.id, reportVersion: report.version, reportSHA256: hash,
                                                    signerName: signerName, signature: Signature(kind: kind, bytes: bytes), actor: actor, now: now)
        let completed = try move(order.id, expectedVersion: order.version, to: .completed, note: "accepted and signed by \(signerName)")
        return (completed, accepted)
    }
}

extension OrderLifecycle {
    /// The longest comment a rating keeps.
    public static let ratingCommentLimit = 1000

    /// The customer rates the finished job, once: a score of 1 to 5 and an optional comment.
    /// The rules, checked here for the app's JSON and the page's form alike.
    public func rate(_ order: WorkOrder, score: Int?, comment: String?) throws {
        var errors: [FieldError] = []
        if !(1...5).contains(score ?? 0) { errors.append(FieldError(field: "score", message: "must be 1 to 5")) }
        let comment = comment?.trimmingCharacters(in: .whitespacesAndNewlines)
        if (comment?.count ?? 0) > Self.ratingCommentLimit {
            errors.append(FieldError(field: "comment", message: "must be at most \(Self.ratingCommentLimit) characters"))
        }
        guard errors.isEmpty, let score else { throw ValidationError(errors) }
        guard order.status == .completed else { throw StoreError.conflict("the job can be rated once it is completed") }
        try scope.acceptances.rate(id: order.id, score: score, comment: comment?.isEmpty == true ? nil : comment, now: now)
    }
}
