import Foundation
import HTTPServer
import PitstopCore

/// The report form a phone opens from a shop's QR code or a web link: rendered here with every
/// value escaped, posted as a plain form (no script at all), and shown again with what was typed
/// and each problem beside its field, in Chinese.
extension PublicPages {
    /// Whose link it is, where, and what the job asks for.
    struct Intake {
        var tenantName: String
        var typeName: String
        var shop: Shop?
        /// The link is a sticker in one car: the plate is not asked for.
        var vehicleFixed: Bool
        /// The job's custom fields; photos are sent by WeChat or the app, not this form.
        var fields: [CustomField]
        /// The job type is retired: the link still opens, but takes no reports.
        var retired: Bool

        init(tenantName: String, typeName: String, shop: Shop?, vehicleFixed: Bool, fields: [CustomField], retired: Bool) {
            self.tenantName = tenantName
            self.typeName = typeName
            self.shop = shop
            self.vehicleFixed = vehicleFixed
            self.fields = fields.filter { $0.kind != .photo }
            self.retired = retired
        }
    }

    /// `values` are the form's own inputs (`f.<key>` for a custom field); `errors` are the rules'
    /// problems, by the report's field names. `requestKey` travels in the form so that a second
    /// tap on a slow phone joins the first report instead of making another.
    static func intake(_ view: Intake, path: String, values: [String: [String]] = [:], errors: [FieldError] = [],
                       notice: String? = nil, requestKey: String, status: Int = 200) -> HTTPResponse {
        let problems = intakeProblems(errors, view)
        let value = { (name: String) in Markup.escape(values[name]?.first ?? "") }
        var body = "<h1>\(Markup.escape(view.tenantName)) · \(Markup.escape(view.typeName))</h1>"
        if let shop = view.shop {
            body += "<p class=\"muted\">\(Markup.escape(shop.name)) · \(Markup.escape(shop.address))"
            if let phone = shop.phone { body += " · <a href=\"tel:\(Markup.escape(phone))\">\(Markup.escape(phone))</a>" }
            body += "</p>"
        }
        if view.retired {
            body += "<p class=\"card error\" id=\"notice\">此报修码已暂停受理\(view.shop == nil ? "，请联系门店" : "，请致电上方门店")。</p>"
            var response = page(title: "在线报修", body: body, script: "")
            response.status = status
            return response
        }
        let placed = placed(view)
        let unplaced = problems.filter { !placed.contains($0.key) }.sorted { $0.key < $1.key }.map(\.value)
        let notices = [notice].compactMap { $0 } + unplaced
        if !notices.isEmpty { body += "<p class=\"card error\" id=\"notice\">\(Markup.escape(notices.joined(separator: " ")))</p>" }
        body += """
            <form method="post" action="\(Markup.escape(path))" class="card" id="report">
            <input type="hidden" name="request_key" value="\(Markup.escape(requestKey))">
            <label for="name">您的称呼</label><input id="name" name="name" required maxlength="100" autocomplete="name" value="\(value("name"))">
            \(fieldProblem("name", problems))
            <label for="phone">手机号</label><input id="phone" name="phone" type="tel" required autocomplete="tel" value="\(value("phone"))">
            \(fieldProblem("phone", problems))
            """
        if !view.vehicleFixed {
            body += """
                <label for="plate">车牌号（选填）</label><input id="plate" name="plate" placeholder="例如 浙A12345" value="\(value("plate"))">
                \(fieldProblem("plate", problems))
                """
        }
        body += """
            <label for="description">哪里出了问题？</label><textarea id="description" name="description" rows="4" required maxlength="5000">\(value("description"))</textarea>
            \(fieldProblem("description", problems))
            """
        body += view.fields.map { customInput($0, values["f.\($0.key)"] ?? [], problems) }.joined()
        body += "<button type=\"submit\">提交报修</button></form>"
        var response = page(title: "在线报修", body: body, script: "")
        response.status = status
        return response
    }

    /// The report's fields this page shows an input for, so a problem can sit beside it.
    private static func placed(_ view: Intake) -> Set<String> {
        Set(["name", "phone", "description"] + (view.vehicleFixed ? [] : ["plate"]) + view.fields.map { "custom_fields.\($0.key)" })
    }

    private static func customInput(_ field: CustomField, _ values: [String], _ problems: [String: String]) -> String {
        let id = "f_\(field.key)", name = "f.\(field.key)", problem = fieldProblem("custom_fields.\(field.key)", problems)
        let label = Markup.escape(field.label) + (field.required ? "" : "（选填）")
        let required = field.required ? " required" : ""
        let value = Markup.escape(values.first ?? "")
        switch field.kind {
        case .boolean:
            let checked = values.contains("true") ? " checked" : ""
            return "<label class=\"check\"><input type=\"checkbox\" id=\"\(id)\" name=\"\(name)\" value=\"true\"\(checked)> \(label)</label>\(problem)"
        case .multiSelect:
            let boxes = (field.options ?? []).map { option in
                "<label class=\"check\"><input type=\"checkbox\" name=\"\(name)\" value=\"\(Markup.escape(option))\"\(values.contains(option) ? " checked" : "")> \(Markup.escape(option))</label>"
            }.joined()
            return "<fieldset id=\"\(id)\"><legend>\(label)</legend>\(boxes)</fieldset>\(problem)"
        case .singleSelect:
            let options = ([""] + (field.options ?? [])).map { option in
                "<option value=\"\(Markup.escape(option))\"\(values.first == option && !option.isEmpty ? " selected" : "")>\(option.isEmpty ? "请选择" : Markup.escape(option))</option>"
            }.joined()
            return "<label for=\"\(id)\">\(label)</label><select id=\"\(id)\" name=\"\(name)\"\(required)>\(options)</select>\(problem)"
        case .number, .integer:
            let bounds = [field.minimum.map { " min=\"\(number($0))\"" }, field.maximum.map { " max=\"\(number($0))\"" }].compactMap { $0 }.joined()
            let step = field.kind == .integer ? "1" : "any"
            return "<label for=\"\(id)\">\(label)</label><input id=\"\(id)\" name=\"\(name)\" type=\"number\" inputmode=\"decimal\" step=\"\(step)\"\(bounds)\(required) value=\"\(value)\">\(problem)"
        case .date:
            return "<label for=\"\(id)\">\(label)</label><input id=\"\(id)\" name=\"\(name)\" type=\"date\"\(required) value=\"\(value)\">\(problem)"
        case .text, .photo:
            let limit = field.maxLength ?? CustomField.defaultMaxTextLength
            return "<label for=\"\(id)\">\(label)</label><input id=\"\(id)\" name=\"\(name)\" maxlength=\"\(limit)\"\(required) value=\"\(value)\">\(problem)"
        }
    }

    /// Each problem in the customer's words: what the field needs, not what the rule said.
    private static func intakeProblems(_ errors: [FieldError], _ view: Intake) -> [String: String] {
        let fixed = ["name": "请填写您的称呼（最多 100 字）", "phone": "请填写 11 位手机号，例如 13800138000",
                     "plate": "车牌号无法识别，例如 浙A12345，不清楚可不填", "description": "请简单描述哪里出了问题（最多 5000 字）"]
        let custom = Dictionary(view.fields.map { ("custom_fields.\($0.key)", $0) }) { first, _ in first }
        var problems: [String: String] = [:]
        for error in errors where problems[error.field] == nil {
            if let words = fixed[error.field] {
                problems[error.field] = words
            } else if let field = custom[error.field] {
                problems[error.field] = "「\(field.label)」" + needs(field)
            } else {
                problems[error.field] = error.field.hasPrefix("custom_fields.") ? "此报修还需要门店提供的其他资料，请联系门店报修。" : "提交的内容有误，请检查后重试。"
            }
        }
        return problems
    }

    /// What a custom field takes, in a sentence's second half.
    private static func needs(_ field: CustomField) -> String {
        let bounds: String = switch (field.minimum, field.maximum) {
        case let (low?, high?): "，范围 \(number(low)) 到 \(number(high))"
        case let (low?, nil): "，不小于 \(number(low))"
        case let (nil, high?): "，不大于 \(number(high))"
        case (nil, nil): ""
        }
        switch field.kind {
        case .integer: return "请填写整数" + bounds
        case .number: return "请填写数字" + bounds
        case .date: return "请选择日期"
        case .singleSelect, .multiSelect: return "请从选项中选择"
        case .boolean: return "请确认是否勾选"
        case .text, .photo:
            let most = field.maxLength ?? CustomField.defaultMaxTextLength
            return field.minLength.map { "请填写 \($0) 到 \(most) 字" } ?? (field.required ? "请填写，最多 \(most) 字" : "最多 \(most) 字")
        }
    }

    /// A bound as people write it: 0, 2.5, never 0.0.
    private static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
