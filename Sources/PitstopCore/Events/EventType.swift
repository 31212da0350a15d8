/// Every kind of event Pitstop writes to its outbox: what the changes feed lists and what webhook
/// subscriptions choose from. Receivers must ignore types they do not know, since new ones come.
public enum EventType: String, CaseIterable, Sendable {
    case workOrderCreated = "work_order.created"
    case workOrderUpdated = "work_order.updated"
    case workOrderStatusChanged = "work_order.status_changed"
    case workOrderCustomerMessage = "work_order.customer_message"
    case workOrderNeedsDispatcher = "work_order.needs_dispatcher"
    case workOrderPooled = "work_order.pooled"
    case workOrderUnpooled = "work_order.unpooled"
    case workOrderTransferRequested = "work_order.transfer_requested"
    case workOrderTransferred = "work_order.transferred"
    case workOrderCheckedIn = "work_order.checked_in"
    case workOrderCheckedOut = "work_order.checked_out"
    case workOrderReportSaved = "work_order.report_saved"
    case workOrderReportLinked = "work_order.report_linked"
    case workOrderPartsRequested = "work_order.parts_requested"
    case workOrderPartsDecided = "work_order.parts_decided"
    case workOrderSLAWarning = "work_order.sla_warning"
    case workOrderSLABreached = "work_order.sla_breached"
    case workOrderSLAEscalated = "work_order.sla_escalated"
    case workOrderRated = "work_order.rated"
    case webhookDisabled = "webhook.disabled"
    case partLowStock = "part.low_stock"
    case notificationDead = "notification.dead"

    /// One line for the catalogue in the OpenAPI document.
    public var summary: String {
        switch self {
        case .workOrderCreated: "an order was reported (any channel)"
        case .workOrderUpdated: "an order's details changed (priority, description, vehicle, shop …)"
        case .workOrderStatusChanged: "an order moved from one status to another (data.from, data.to)"
        case .workOrderCustomerMessage: "the customer added a message to an open order"
        case .workOrderNeedsDispatcher: "automatic dispatch gave up; a dispatcher must assign the order"
        case .workOrderPooled: "the order was put in the grab pool"
        case .workOrderUnpooled: "the order left the grab pool"
        case .workOrderTransferRequested: "the assignee asked to hand the order over"
        case .workOrderTransferred: "the order passed to another engineer"
        case .workOrderCheckedIn: "the engineer checked in on site"
        case .workOrderCheckedOut: "the engineer checked out"
        case .workOrderReportSaved: "a new version of the repair report was saved"
        case .workOrderReportLinked: "a duplicate report was linked to the order"
        case .workOrderPartsRequested: "the engineer requested parts"
        case .workOrderPartsDecided: "a parts requisition was approved or rejected"
        case .workOrderSLAWarning: "an SLA target is near its due time (data.target, data.fraction)"
        case .workOrderSLABreached: "an SLA target passed its due time"
        case .workOrderSLAEscalated: "a later escalation level of a breached target was reached"
        case .workOrderRated: "the customer rated the repair (data.score, 1 to 5)"
        case .webhookDisabled: "a webhook subscription failed for a day and was switched off (data.subscription_id, data.reason)"
        case .partLowStock: "a part's available stock at a shop fell to or under its reorder level (data.part_number, data.available)"
        case .notificationDead: "notifications to a channel failed for good and will not be retried (data.channel_id, data.delivery_ids, data.reason)"
        }
    }
}
