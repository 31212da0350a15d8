import Foundation
import PitstopCore
import PitstopStore

/// Adding and changing engineers: the record's own rules (`EngineerInput.normalised`), and that
/// the channel an engineer is to be told on can reach them (an app needs their user id there,
/// SMS their phone), checked before anything is written.
public struct EngineerRoster {
    let scope: TenantScope

    public init(scope: TenantScope) {
        self.scope = scope
    }

    public func create(_ input: EngineerInput) throws -> Engineer {
        let checked = try input.normalised(creating: true).get()
        try checkMessaging(checked, over: nil)
        return try scope.engineers.create(checked)
    }

    public func update(_ id: UUID, expectedVersion: Int, _ input: EngineerInput) throws -> Engineer {
        let checked = try input.normalised(creating: false).get()
        // Only a change to how the engineer is reached needs the record as it stands (an HR
        // system's bulk update of skills and shops does not pay for the read).
        if !(checked.notifyChannelID.isKeep && checked.dingtalkUserID.isKeep && checked.wecomUserID.isKeep && checked.phone.isKeep) {
            try checkMessaging(checked, over: try scope.engineers.get(id: id))
        }
        return try scope.engineers.update(id: id, expectedVersion: expectedVersion, checked)
    }

    /// The HR system's engineer `externalID`, created or changed (`ExternalIDs.upsert`).
    public func upsert(_ input: EngineerInput, externalID: String, ifMatch: Int?) throws -> (Engineer, created: Bool) {
        try ExternalIDs.same(input.externalID.newValue, externalID)
        var changes = input, new = input
        changes.externalID = .keep
        new.externalID = .set(externalID)
        return try ExternalIDs.upsert("engineer", externalID: externalID, ifMatch: ifMatch, in: scope,
                                      find: { try scope.engineers.find(externalID: externalID).map { ($0.id, $0.version) } },
                                      update: { try update($0, expectedVersion: $1, changes) }, create: { try create(new) })
    }

    /// The engineer's own duty status, which dispatch respects.
    public func setDuty(_ id: UUID, expectedVersion: Int, _ status: Engineer.Status) throws -> Engineer {
        try scope.engineers.update(id: id, expectedVersion: expectedVersion, EngineerInput(status: status))
    }

    /// The messaging settings as they will stand after `input` over `current`, checked.
    private func checkMessaging(_ input: EngineerInput, over current: Engineer?) throws {
        let channelID = input.notifyChannelID.applied(to: current?.messaging.channelID)
        guard let channelID else { return }
        let channel: NotificationChannel
        do {
            channel = try scope.notifications.channel(id: channelID, subscription: false).channel
        } catch StoreError.notFound {
            throw ValidationError(field: "notify_channel_id", "does not name a notification channel of this tenant")
        }
        let messaging = Engineer.Messaging(channelID: channelID, dingtalkUserID: input.dingtalkUserID.applied(to: current?.messaging.dingtalkUserID),
                                           wecomUserID: input.wecomUserID.applied(to: current?.messaging.wecomUserID))
        if let problem = EngineerNotice.problem(channelKind: channel.kind, phone: input.phone.applied(to: current?.phone), messaging: messaging) {
            throw ValidationError([problem])
        }
    }
}
