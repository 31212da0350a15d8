import Foundation
import HTTPServer
import PitstopCore
import PitstopStore

/// The report page behind a QR code or web link, and its plain form: a report that holds goes
/// on to the new order's tracking page (303), one that does not comes back with what was typed
/// and each problem beside its field. A wrong, expired or deleted link gets the one unknown page.
extension APIApplication {
    func intakePage(_ request: HTTPRequest, values: [String: [String]] = [:], errors: [FieldError] = [], notice: String? = nil,
                    status: Int = 200) throws -> HTTPResponse {
        guard let token = PublicToken(request.pathParameters["token"] ?? "", kind: .intake) else { return PublicPages.unknownLink(.intake) }
        return try database.withTenant(token.tenantID, readOnly: true) { scope in
            guard let view = try Self.intakeView(token, in: scope) else { return PublicPages.unknownLink(.intake) }
            // A page shown again keeps its key: the report it finally sends is still the one.
            var key = UUID().uuidString
            if let sent = values["request_key"]?.first, Self.formKey(sent) != nil { key = sent }
            return PublicPages.intake(view, path: "/v1/public/intake/\(token.text)", values: values, errors: errors, notice: notice,
                                      requestKey: key, status: status)
        }
    }

    func intakeForm(_ request: HTTPRequest) throws -> HTTPResponse {
        let values = Self.formValues(request.body)
        guard let token = PublicToken(request.pathParameters["token"] ?? "", kind: .intake) else { return PublicPages.unknownLink(.intake) }
        do {
            try publicLimits.admitReport(link: request.pathParameters["token"] ?? "", address: request.clientAddress)
            try Self.refuseLargeReport(request)
        } catch let refused as Problem {
            let notice = refused.status == 413 ? "填写的内容过长，请精简后再提交。"
                : "提交过于频繁，请 \(PublicPages.minutesToWait(refused)) 分钟后再试，或直接致电门店。"
            var page = try intakePage(request, values: values, notice: notice, status: refused.status)
            if page.status == refused.status { for header in refused.headers { page.headers.add(header.name, header.value) } }
            return page
        }
        let receipt: HTTPResponse
        do {
            do {
                receipt = try report(values, through: token, request, key: values["request_key"]?.first.flatMap(Self.formKey))
            } catch let reused as Problem where reused.type == "idempotency-key-reused" {
                // A page brought back (the browser's back button) and changed after it was sent:
                // what it sends now is a report of its own.
                receipt = try report(values, through: token, request, key: nil)
            }
        } catch let invalid as ValidationError {
            return try intakePage(request, values: values, errors: invalid.errors, status: 422)
        } catch StoreError.notFound {
            return PublicPages.unknownLink(.intake)
        } catch StoreError.conflict {
            // The job type was retired (the page says so in place of the form), or a moment's clash.
            return try intakePage(request, values: values, notice: "报修未能提交，请稍后再试。", status: 409)
        }
        guard let tracking = (try? JSONSerialization.jsonObject(with: Data(receipt.body)) as? [String: Any])?["tracking_token"] as? String else {
            return try intakePage(request, values: values, notice: "报修未能提交，请稍后再试。", status: 503)
        }
        return Self.seeOther("/v1/public/track/\(tracking)")
    }

    /// The form's report through the link, once per `key`. Whatever the rules refuse rolls the
    /// whole report back, the key's claim with it, so the corrected form may send again under the
    /// same key.
    private func report(_ values: [String: [String]], through token: PublicToken, _ request: HTTPRequest, key: String?) throws -> HTTPResponse {
        var keyed = request
        if let key { keyed.headers.add("Idempotency-Key", key) }
        return try database.withTenant(token.tenantID) { scope in
            guard let link = try scope.intakeLinks.active(secret: token.secret) else { throw StoreError.notFound("intake link") }
            let plate = values["plate"]?.first?.trimmingCharacters(in: .whitespaces)
            let report = PublicReport(name: values["name"]?.first ?? "", phone: values["phone"]?.first ?? "",
                                      plate: plate?.isEmpty == false && link.vehicleID == nil ? plate : nil,
                                      description: values["description"]?.first ?? "",
                                      customFields: Self.customFields(values, try scope.workOrderTypes.get(id: link.typeID).template.fields))
            return try receiveReport(keyed, report, through: token, link: link, in: scope)
        }
    }

    /// The link's tenant, job and shop as the page shows them; nil for a link no longer active.
    static func intakeView(_ token: PublicToken, in scope: TenantScope) throws -> PublicPages.Intake? {
        guard let link = try scope.intakeLinks.active(secret: token.secret) else { return nil }
        let type = try scope.workOrderTypes.get(id: link.typeID)
        return PublicPages.Intake(tenantName: try scope.tenant.get().name, typeName: type.name, shop: try link.shopID.map { try scope.shops.get(id: $0) },
                                  vehicleFixed: link.vehicleID != nil, fields: type.template.fields, retired: !type.active)
    }

    /// The form's key as an Idempotency-Key, if it makes one (a page's UUID always does).
    static func formKey(_ value: String) -> String? {
        let key = "form-" + value
        return value.isEmpty || !isIdempotencyKey(key) ? nil : key
    }

    /// The form's custom-field inputs (`f.<key>`) as a JSON report would carry them: numbers
    /// parsed, a checkbox true or false, ticked options a list; an empty input is left out. What
    /// is not a number where a number is asked stays text, for the template's rules to refuse.
    static func customFields(_ values: [String: [String]], _ fields: [CustomField]) -> [String: JSONValue] {
        var out: [String: JSONValue] = [:]
        for field in fields where field.kind != .photo {
            let given = (values["f.\(field.key)"] ?? []).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            switch field.kind {
            case .boolean:
                out[field.key] = .bool(given.contains("true"))
            case .multiSelect:
                if !given.isEmpty { out[field.key] = .array(given.map(JSONValue.string)) }
            case .number, .integer:
                guard let typed = given.first else { continue }
                // Full-width digits (５２０００) are what a Chinese keyboard may send.
                let text = typed.applyingTransform(.fullwidthToHalfwidth, reverse: false) ?? typed
                out[field.key] = Double(text).flatMap { $0.isFinite ? JSONValue.number($0) : nil } ?? .string(typed)
            case .text, .date, .singleSelect, .photo:
                if let text = given.first { out[field.key] = .string(text) }
            }
        }
        return out
    }
}
