import Foundation

/// What a customer is told at a moment, in one home: the plain text (for channels that send
/// text) and the variables a provider's approved template is filled from. Kept with the queued
/// message and rendered when it is sent, with the public address the sender knows.
public struct CustomerNotice: Sendable, Equatable, Codable {
    public var moment: CustomerMoment
    public var number: String
    public var shop: String?
    /// The engineer's given name only: the customer needs to know who comes, not their record.
    public var engineer: String?
    /// The page the message points to, after the deployment's public address.
    public var linkPath: String?
    /// The link's last part (its token's secret), for SMS templates that hold the rest of the
    /// URL as fixed text: providers refuse links in template variables and cap each at 35
    /// characters (see `AliyunSMS.variableLimit`), which a whole link exceeds.
    public var linkSecret: String?
    /// When the moment happened, as the tenant's clock reads it ("12-03 14:05").
    public var time: String
    /// The order's status then (the timeline shows it beside the message).
    public var orderStatus: WorkOrderStatus?
    /// What the customer is asked to approve, as they read it ("¥1,280.00"): extra work only.
    public var amount: String?

    /// The route's SMS template (`CustomerMessagePolicy.Route`), nil for the channel's own, and
    /// its fields by name; nil for every variable under its own name.
    public var template: String?
    public var variables: [String: String]?

    public init(moment: CustomerMoment, number: String, shop: String?, engineer: String?, linkPath: String?, linkSecret: String?,
                time: String, orderStatus: WorkOrderStatus? = nil, amount: String? = nil, template: String? = nil,
                variables: [String: String]? = nil) {
        self.moment = moment
        self.number = number
        self.shop = shop
        self.engineer = engineer
        self.linkPath = linkPath
        self.template = template
        self.variables = variables
        self.linkSecret = linkSecret
        self.time = time
        self.orderStatus = orderStatus
        self.amount = amount
    }

    /// The variables a route may map template fields to.
    public static let variables = ["order", "status", "shop", "engineer", "link", "link_secret", "time", "amount"]

    public var status: String {
        switch moment {
        case .received: "已受理"
        case .onTheWay: "工程师已出发"
        case .waitingParts: "等待配件"
        case .readyForAcceptance: "待您验收"
        case .completed: "已完成"
        case .extraWork: "增项待确认"
        }
    }

    enum CodingKeys: String, CodingKey {
        case moment, number, shop, engineer, time, template, variables, amount
        case orderStatus = "order_status"
        case linkPath = "link_path"
        case linkSecret = "link_secret"
    }

    func value(of variable: String, link: String?) -> String {
        switch variable {
        case "order": number
        case "status": status
        case "shop": shop ?? "—"
        case "engineer": engineer ?? "—"
        case "link": link ?? "—"
        case "link_secret": linkSecret ?? "—"
        case "time": time
        case "amount": amount ?? "—"
        default: "—"
        }
    }

    /// The message as sent, its link under `publicBaseURL`.
    /// `mobiles` for SMS, `userIDs` (the follower's openid) for WeChat.
    public func message(publicBaseURL: String, mobiles: [String], userIDs: [String]?, event: JSONValue) -> NotificationMessage {
        let link = linkPath.map { publicBaseURL + $0 }
        let mapping = variables ?? Dictionary(uniqueKeysWithValues: Self.variables.map { ($0, $0) })
        let text = text(link: link)
        return NotificationMessage(title: "工单 \(number) \(status)", markdown: text, plain: text, mobiles: mobiles,
                                   templateParams: mapping.mapValues { value(of: $0, link: link) }, event: event, userIDs: userIDs,
                                   customer: self, link: link)
    }

    /// The text without its link, for staff: a link is the customer's key to their pages.
    public var summary: String { text(link: nil) }

    /// The whole message as text, for channels that send text as it is.
    func text(link: String?) -> String {
        let where_ = shop.map { "（\($0)）" } ?? ""
        let body: String = switch moment {
        case .received: "您的维修工单 \(number) 已受理\(where_)，我们会尽快安排工程师。"
        case .onTheWay: "工程师\(engineer ?? "")已接单并出发，前往处理工单 \(number)。"
        case .waitingParts: "工单 \(number) 正在等待配件，到货后继续维修。"
        case .readyForAcceptance: "工单 \(number) 已维修完毕并通过质检，请查看维修报告并签字验收。"
        case .completed: "工单 \(number) 已完成，感谢您的信任，欢迎为本次服务评分。"
        case .extraWork: "工单 \(number) 需要增加维修项目，合计 \(amount ?? "—")，请查看明细并确认是否同意。"
        }
        return body + (link.map { moment == .readyForAcceptance ? "验收：\($0)" : "查看：\($0)" } ?? "")
    }
}
