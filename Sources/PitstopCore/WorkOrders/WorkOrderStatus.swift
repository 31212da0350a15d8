/// Where a work order stands in the repair lifecycle.
///
///     new → assigned → accepted → diagnosing → awaiting_parts ⇄ repairing → quality_check
///         → awaiting_acceptance → completed → reopened (rework, within a window) → assigned …
///
/// plus `cancelled`, with a reason, from any open state. Every allowed step is listed in
/// `WorkOrderLifecycle.transitions`; nothing else may change a status.
public enum WorkOrderStatus: String, CaseIterable, Codable, Sendable {
    case new
    case assigned
    case accepted
    case diagnosing
    case awaitingParts = "awaiting_parts"
    case repairing
    case qualityCheck = "quality_check"
    case awaitingAcceptance = "awaiting_acceptance"
    case completed
    case cancelled
    case reopened

    /// Open orders are the ones still being worked on: their SLA clocks run and they count
    /// towards an engineer's load.
    public var isOpen: Bool {
        self != .completed && self != .cancelled
    }

    /// What a customer following the order sees, in the words a mainland repair shop uses.
    public var customerLabel: String {
        switch self {
        case .new: "已受理"
        case .assigned: "已派工"
        case .accepted: "工程师已接单"
        case .diagnosing: "检测中"
        case .awaitingParts: "等待配件"
        case .repairing: "维修中"
        case .qualityCheck: "质检中"
        case .awaitingAcceptance: "待您验收"
        case .completed: "已完成"
        case .cancelled: "已取消"
        case .reopened: "返修中"
        }
    }
}
