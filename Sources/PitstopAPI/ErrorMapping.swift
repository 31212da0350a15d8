import HTTPServer
import PitstopCore
import PitstopServices
import PitstopStore
import Postgres

/// Turns what the layers below throw into problems with the right status. Anything not listed
/// stays as it is and becomes a 500 in the server, logged with the request id.
enum ErrorMapping {
    static func problem(for error: any Error) -> (any Error) {
        switch error {
        case let problem as Problem:
            return problem
        case let validation as ValidationError:
            return Problem.validation(validation.errors.map { Problem.FieldIssue(field: $0.field, message: $0.message) })
        case let transition as WorkOrderLifecycle.TransitionError:
            switch transition {
            case .reasonRequired:
                return Problem.validation([.init(field: "reason", message: transition.description)])
            case .notAllowed, .reopenWindowClosed:
                return Problem(status: 409, type: "illegal-transition", title: "Transition not allowed", detail: transition.description,
                               errors: [.init(field: "to", message: transition.description)])
            case .notPermitted:
                return Problem(status: 403, type: "step-not-permitted", title: "Not your step", detail: transition.description,
                               errors: [.init(field: "to", message: transition.description)])
            }
        case let inspection as OrderLifecycle.InspectionRefusal:
            return Problem.conflict(inspection.description)
        case let signing as OrderLifecycle.SigningRefusal:
            switch signing {
            case .notAwaitingAcceptance, .noReport, .noLinkYet: return Problem.conflict(signing.description)
            case .reportChanged(let current):
                return Problem(status: 409, type: "report-changed", title: "The report changed", detail: signing.description,
                               errors: [.init(field: "report_version", message: "is not the current version (\(current))")])
            }
        case let extra as OrderLifecycle.ExtraWorkRefusal:
            switch extra {
            case .notTheirOrder: return Problem.notFound("work order")
            case .notDuringTheWork, .answerAwaited: return Problem.conflict(extra.description)
            case .proposalChanged:
                return Problem(status: 409, type: "extra-work-changed", title: "The extra work changed", detail: extra.description,
                               errors: [.init(field: "sha256", message: "is not the proposal waiting")])
            }
        case let transfer as OrderLifecycle.TransferRefusal:
            switch transfer {
            case .notTheDesk: return Problem.forbidden(transfer.description)
            case .notAssigned: return Problem.conflict(transfer.description)
            }
        case let store as StoreError:
            switch store {
            case .notFound(let what): return Problem.notFound(what)
            case .versionMismatch(let current):
                return Problem(status: 412, type: "version-mismatch", title: "Precondition failed", detail: store.description,
                               headers: [("ETag", "\"\(current)\"")])
            case .conflict(let what): return Problem.conflict(what)
            case .duplicate(let field, let message):
                return Problem(status: 409, type: "duplicate", title: "Duplicate", detail: store.description,
                               errors: [.init(field: field, message: message)])
            }
        case let shortfall as InventoryRepository.Shortfall:
            let lines = shortfall.lines.map { "\($0.partNumber) needs \(Amount.text($0.requested)), \(Amount.text($0.available)) available" }
            return Problem(status: 409, type: "insufficient-stock", title: "Not enough stock",
                           detail: "not enough stock: " + lines.joined(separator: "; "),
                           errors: zip(shortfall.lines, lines).map { Problem.FieldIssue(field: "parts.\($0.partNumber)", message: $1) })
        case let database as PostgresError:
            switch database.kind {
            case .poolTimeout, .poolClosed, .connectionFailed, .connectionLost:
                return Problem.serviceUnavailable(retryAfter: 1, "the database is busy or unreachable; retry shortly")
            case .server where database.sqlState == .queryCanceled:
                return Problem.serviceUnavailable(retryAfter: 1, "the request took longer than the server allows; retry shortly")
            case .server, .decoding, .invalidParameter:
                return database
            }
        default:
            return error
        }
    }

    /// Wraps a handler so its errors are mapped.
    static func wrap(_ handler: @escaping Handler) -> Handler {
        { request in
            do {
                return try handler(request)
            } catch {
                throw problem(for: error)
            }
        }
    }
}
