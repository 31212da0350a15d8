import Foundation
import HTTPServer
import PitstopCore
import PitstopServices
import PitstopStore

extension APIApplication {
    /// The tenant's rules for messages to customers, one document read and replaced whole: the
    /// first needs no If-Match, later ones name the version they replace.
    var customerMessageRoutes: [Router.Route] {
        [
            tenantRoute("GET", "/v1/customer-messages", roles: [.admin, .dispatcher]) { [self] _, caller, scope in
                guard let stored = try scope.customerMessages.policy() else {
                    // None set yet: customers are told nothing, and the first PUT needs no If-Match.
                    return try .json(policyBody(CustomerMessagePolicy(), version: 0, updatedAt: nil, tenantID: caller.tenant.id))
                }
                return try .record(policyBody(stored.policy, version: stored.version, updatedAt: stored.updatedAt, tenantID: caller.tenant.id),
                                   version: stored.version)
            },
            tenantRoute("PUT", "/v1/customer-messages", roles: [.admin]) { [self] request, caller, scope in
                let version = request.headers["If-Match"] == nil ? nil : try Self.ifMatchVersion(request)
                let policy = try JSONCoding.decode(CustomerMessagePolicyBody.self, from: request.body,
                                                   allowedFields: CustomerMessagePolicyBody.fields).policy()
                let stored = try ChainSetup(scope: scope).setCustomerMessagePolicy(policy, expectedVersion: version)
                return try .record(policyBody(stored.policy, version: stored.version, updatedAt: stored.updatedAt, tenantID: caller.tenant.id),
                                   version: stored.version)
            },
        ]
    }

    func policyBody(_ policy: CustomerMessagePolicy, version: Int, updatedAt: Date?, tenantID: UUID) -> CustomerMessagePolicyAnswer {
        func prefix(_ kind: PublicToken.Kind, _ path: String) -> String {
            let sample = PublicToken(kind: kind, tenantID: tenantID, secret: "")
            return "\(configuration.publicBaseURL)/v1/public/\(path)/\(sample.text)"
        }
        return CustomerMessagePolicyAnswer(
            moments: Dictionary(uniqueKeysWithValues: policy.moments.map { moment, routes in
                (moment.rawValue, routes.map { RouteBody(channelId: $0.channelID, template: $0.template, variables: $0.variables) })
            }),
            quietHours: policy.quietHours.map { QuietHoursBody(start: CustomerMessagePolicy.QuietHours.text($0.start),
                                                               end: CustomerMessagePolicy.QuietHours.text($0.end)) },
            linkPrefixes: ["tracking": prefix(.tracking, "track"), "signing": prefix(.acceptance, "accept")],
            variables: CustomerNotice.variables, version: version, updatedAt: updatedAt)
    }
}

struct RouteBody: Codable {
    var channelId: UUID
    var template: String?
    var variables: [String: String]?
}

struct QuietHoursBody: Codable {
    var start: String
    var end: String
}

struct CustomerMessagePolicyBody: Decodable, ClosedInnerObjects {
    var moments: [String: [RouteBody]]?
    var quietHours: QuietHoursBody?

    static let fields: Set<String> = ["moments", "quiet_hours"]
    static let innerFields: [String: Set<String>] = ["moments.*[]": ["channel_id", "template", "variables"], "quiet_hours": ["start", "end"]]

    func policy() throws -> CustomerMessagePolicy {
        var errors: [FieldError] = []
        var moments: [CustomerMoment: [CustomerMessagePolicy.Route]] = [:]
        for (name, routes) in (self.moments ?? [:]).sorted(by: { $0.key < $1.key }) {
            guard let moment = CustomerMoment(rawValue: name) else {
                errors.append(FieldError(field: "moments.\(name)", message: "is not a moment; the moments are \(CustomerMoment.allCases.map(\.rawValue).joined(separator: ", "))"))
                continue
            }
            moments[moment] = routes.map { CustomerMessagePolicy.Route(channelID: $0.channelId, template: $0.template, variables: $0.variables) }
        }
        var quiet: CustomerMessagePolicy.QuietHours?
        if let quietHours {
            let start = CustomerMessagePolicy.QuietHours.minutes(quietHours.start)
            let end = CustomerMessagePolicy.QuietHours.minutes(quietHours.end)
            if start == nil { errors.append(FieldError(field: "quiet_hours.start", message: "must be a time of day as HH:mm, such as 21:00")) }
            if end == nil { errors.append(FieldError(field: "quiet_hours.end", message: "must be a time of day as HH:mm, such as 08:00")) }
            if let start, let end { quiet = .init(start: start, end: end) }
        }
        guard errors.isEmpty else { throw ValidationError(errors) }
        return CustomerMessagePolicy(moments: moments, quietHours: quiet)
    }
}

struct CustomerMessagePolicyAnswer: Encodable {
    var moments: [String: [RouteBody]]
    var quietHours: QuietHoursBody?
    /// What an SMS template holds as fixed text before the `link_secret` variable.
    var linkPrefixes: [String: String]
    var variables: [String]
    var version: Int
    var updatedAt: Date?
}
