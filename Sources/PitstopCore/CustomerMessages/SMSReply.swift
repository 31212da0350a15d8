import Foundation

/// A customer's reply to one of the chain's texts, as a provider pushes it. Mainland carriers
/// and the providers' own unsubscribe footers ("回T退订", "拒收请回复R") teach customers a handful
/// of words that mean "stop"; any of them, alone, opts the number out of SMS.
public struct SMSReply: Sendable, Equatable {
    public var phone: MobileNumber
    public var text: String

    public init(phone: MobileNumber, text: String) {
        self.phone = phone
        self.text = text
    }

    /// The words that opt out, compared without case, spaces or closing punctuation.
    public static let optOutWords: Set<String> = ["TD", "T", "R", "N", "退订", "退", "取消", "拒收"]

    public var optsOut: Bool {
        let word = text.uppercased().filter { !" \t\r\n。.!！".contains($0) }
        return Self.optOutWords.contains(word)
    }
}
