import Foundation

/// A message a follower sent to an official account, as WeChat POSTs it in plain-text mode:
/// a flat `<xml>` element whose children hold text or CDATA.
///
/// Parsed by hand rather than with an XML library: the format is flat and fixed, and a parser
/// that knows no entities, DTDs or nesting cannot be tricked into expanding or fetching anything.
public struct WeChatMessage: Equatable, Sendable {
    public var toUserName: String
    public var fromUserName: String
    public var createTime: Int
    public var msgType: String
    public var content: String?
    public var msgID: String?
    public var event: String?
    /// A menu click's key (CLICK events): what the account's custom menu set for the button.
    public var eventKey: String?
    /// A voice message's text as WeChat recognised it, when the account has recognition on.
    public var recognition: String?
    /// An image message's picture, as WeChat serves it for a while after sending.
    public var picURL: String?
    /// A location message's place (GCJ-02, as WeChat's maps give it) and its label.
    public var location: (latitude: Double, longitude: Double, label: String?)?

    public static func == (lhs: WeChatMessage, rhs: WeChatMessage) -> Bool {
        lhs.toUserName == rhs.toUserName && lhs.fromUserName == rhs.fromUserName && lhs.createTime == rhs.createTime
            && lhs.msgType == rhs.msgType && lhs.content == rhs.content && lhs.msgID == rhs.msgID && lhs.event == rhs.event
            && lhs.recognition == rhs.recognition && lhs.picURL == rhs.picURL && lhs.location?.latitude == rhs.location?.latitude
            && lhs.location?.longitude == rhs.location?.longitude && lhs.location?.label == rhs.location?.label
    }

    public static let maximumSize = 64 * 1024

    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case tooLarge
        case malformed(String)
        case missing(String)

        public var description: String {
            switch self {
            case .tooLarge: "the message is larger than \(WeChatMessage.maximumSize) bytes"
            case .malformed(let detail): "the message is not WeChat's XML: \(detail)"
            case .missing(let field): "the message has no \(field)"
            }
        }
    }

    public init(xml bytes: [UInt8]) throws(ParseError) {
        guard bytes.count <= Self.maximumSize else { throw .tooLarge }
        let fields = try Self.fields(String(decoding: bytes, as: UTF8.self))
        guard let to = fields["ToUserName"] else { throw .missing("ToUserName") }
        guard let from = fields["FromUserName"] else { throw .missing("FromUserName") }
        guard let type = fields["MsgType"] else { throw .missing("MsgType") }
        guard let time = fields["CreateTime"].flatMap({ Int($0) }) else { throw .missing("CreateTime") }
        toUserName = to
        fromUserName = from
        createTime = time
        msgType = type
        content = fields["Content"]
        msgID = fields["MsgId"]
        event = fields["Event"]
        eventKey = fields["EventKey"]
        recognition = fields["Recognition"]
        picURL = fields["PicUrl"]
        if let latitude = fields["Location_X"].flatMap(Double.init), let longitude = fields["Location_Y"].flatMap(Double.init) {
            location = (latitude, longitude, fields["Label"])
        }
    }

    /// The `Encrypt` of a message WeChat sent in safe or compatible mode, or nil for plain text.
    public static func encrypted(xml bytes: [UInt8]) throws(ParseError) -> String? {
        guard bytes.count <= maximumSize else { throw .tooLarge }
        return try fields(String(decoding: bytes, as: UTF8.self))["Encrypt"]
    }

    /// Children of the root `<xml>` element by name. Later duplicates are ignored.
    static func fields(_ text: String) throws(ParseError) -> [String: String] {
        var rest = Substring(text.trimmingCharacters(in: .whitespacesAndNewlines))
        guard rest.hasPrefix("<xml>"), rest.hasSuffix("</xml>") else { throw .malformed("the root element must be <xml>") }
        rest = rest.dropFirst(5).dropLast(6)
        var fields: [String: String] = [:]
        while true {
            rest = rest.drop { $0.isWhitespace }
            if rest.isEmpty { return fields }
            guard rest.first == "<", let close = rest.firstIndex(of: ">") else { throw .malformed("expected an element") }
            let name = rest[rest.index(after: rest.startIndex)..<close]
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                throw .malformed("bad element name")
            }
            rest = rest[rest.index(after: close)...]
            let end = "</\(name)>"
            let value: String
            if rest.hasPrefix("<![CDATA[") {
                // Text containing "]]>" arrives split over several CDATA sections.
                var collected = ""
                while rest.hasPrefix("<![CDATA[") {
                    rest = rest.dropFirst(9)
                    guard let stop = rest.range(of: "]]>") else { throw .malformed("unterminated CDATA in \(name)") }
                    collected += rest[..<stop.lowerBound]
                    rest = rest[stop.upperBound...]
                }
                value = collected
            } else {
                guard let stop = rest.range(of: "<") else { throw .malformed("unterminated \(name)") }
                value = unescape(String(rest[..<stop.lowerBound]))
                rest = rest[stop.lowerBound...]
            }
            guard rest.hasPrefix(end) else { throw .malformed("\(name) is not closed") }
            rest = rest.dropFirst(end.count)
            if fields[String(name)] == nil { fields[String(name)] = value }
        }
    }

    static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }

    /// The passive reply WeChat shows the follower: a text message from the account.
    public func textReply(_ text: String, at time: Int) -> String {
        """
        <xml><ToUserName>\(Self.cdata(fromUserName))</ToUserName><FromUserName>\(Self.cdata(toUserName))</FromUserName>\
        <CreateTime>\(time)</CreateTime><MsgType><![CDATA[text]]></MsgType><Content>\(Self.cdata(text))</Content></xml>
        """
    }

    static func cdata(_ text: String) -> String {
        "<![CDATA[" + text.replacingOccurrences(of: "]]>", with: "]]]]><![CDATA[>") + "]]>"
    }
}
