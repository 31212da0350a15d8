import Foundation
import PitstopCore
import PitstopStore

/// What the customers' replies to the chain's texts do: an opt-out word stops SMS to that number
/// (every customer record carrying it), so the next moment goes by the policy's next route or
/// not at all. Other replies are not read (the provider's console still shows them).
public struct SMSReplies {
    let scope: TenantScope
    let now: Date

    public init(scope: TenantScope, now: Date = Date()) {
        self.scope = scope
        self.now = now
    }

    /// Returns how many customer records opted out.
    public func received(_ replies: [SMSReply]) throws -> Int {
        var optedOut = 0
        for phone in Set(replies.filter(\.optsOut).map(\.phone.value)).sorted() {
            optedOut += try scope.customers.optOutOfSMS(phone: phone, now: now)
        }
        return optedOut
    }
}
