import Foundation

/// The moments of an order a customer hears about, each at most once per order (extra work: once
/// per proposal): the outbox keeps one message per order and moment, however often the step is
/// retried or repeated (an order waiting for parts twice tells the customer once).
public enum CustomerMoment: String, CaseIterable, Codable, CodingKeyRepresentable, Sendable, Comparable {
    /// The report became an order: its number and the tracking link.
    case received
    /// The engineer accepted and is on the way: the tracking link shows their ETA.
    case onTheWay = "on_the_way"
    case waitingParts = "waiting_parts"
    /// The work passed its check and awaits the customer's signature: the signing link.
    case readyForAcceptance = "ready_for_acceptance"
    /// Signed and done: the tracking link, where the customer rates the work.
    case completed
    /// Extra work with prices waits for the customer's answer: the tracking link, where they
    /// approve or decline it. Not a status: the order waits in the one it is in.
    case extraWork = "extra_work"

    /// The moment a status change makes, if any.
    public init?(reaching status: WorkOrderStatus) {
        switch status {
        case .new: self = .received
        case .accepted: self = .onTheWay
        case .awaitingParts: self = .waitingParts
        case .awaitingAcceptance: self = .readyForAcceptance
        case .completed: self = .completed
        case .assigned, .diagnosing, .repairing, .qualityCheck, .cancelled, .reopened: return nil
        }
    }

    /// The status that makes the moment; nil for extra work, which no status change makes.
    public var status: WorkOrderStatus? {
        switch self {
        case .received: .new
        case .onTheWay: .accepted
        case .waitingParts: .awaitingParts
        case .readyForAcceptance: .awaitingAcceptance
        case .completed: .completed
        case .extraWork: nil
        }
    }

    /// Which link the message carries.
    public var link: LinkKind { self == .readyForAcceptance ? .signing : .tracking }

    public enum LinkKind: Sendable, Equatable {
        case tracking
        case signing
    }

    public static func < (lhs: CustomerMoment, rhs: CustomerMoment) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
