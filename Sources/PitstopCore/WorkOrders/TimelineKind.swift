/// Every kind of entry an order's timeline holds: what the desk reads, oldest first. Most go
/// with an outbox event of their own (`EventType`), written in the same transaction.
public enum TimelineKind: String, CaseIterable, Sendable {
    case created
    case statusChanged = "status_changed"
    case updated
    case linkedReport = "linked_report"
    case customerMessage = "customer_message"
    case pooled
    case unpooled
    case transferred
    case dispatchExhausted = "dispatch_exhausted"
    case checkedIn = "checked_in"
    case checkedOut = "checked_out"
    case reportSaved = "report_saved"
    case partsRequested = "parts_requested"
    case partsDecided = "parts_decided"
    case transferRequested = "transfer_requested"
    case slaWarning = "sla_warning"
    case slaBreached = "sla_breached"
    case slaEscalated = "sla_escalated"
    case extraWorkProposed = "extra_work_proposed"
    /// Approved or declined by the customer, or withdrawn by the desk: the note says which.
    case extraWorkAnswered = "extra_work_answered"
    /// A message to the customer (`CustomerMoment`): read from its delivery, with how it stands,
    /// rather than written as an entry.
    case messageToCustomer = "message_to_customer"
}
