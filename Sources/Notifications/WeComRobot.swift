import Foundation

/// A WeCom (企业微信) group robot: `POST …/cgi-bin/webhook/send?key=…` with a `text` or
/// `markdown` message.
///
/// Limits relied on: `text.content` at most 2,048 UTF-8 bytes and `markdown.content` at most
/// 4,096 (longer markdown is refused with errcode 40058, "markdown.content exceed max length
/// 4096", as seen in dromara/domain-admin#82 and RayWangQvQ/BiliBiliTool#569); at most 20
/// messages a minute per robot (k8scat/goutils' WeCom client documents "每个机器人发送的消息不能超过
/// 20条/分钟"), answered with errcode 45009 beyond that. Digests are split to fit
/// (`ChannelRequest.robot`); one message still too long alone is cut at a character boundary
/// (never inside a UTF-8 sequence) and marked with "…".
public enum WeComRobot {
    public static let textLimit = 2048
    public static let markdownLimit = 4096

    public static func text(_ content: String, mentionedMobiles: [String]) -> [UInt8] {
        json(["msgtype": "text", "text": ["content": truncate(content, toBytes: textLimit), "mentioned_mobile_list": mentionedMobiles]])
    }

    public static func markdown(_ content: String) -> [UInt8] {
        json(["msgtype": "markdown", "markdown": ["content": truncate(content, toBytes: markdownLimit)]])
    }

    /// `text` if it fits in `limit` UTF-8 bytes; otherwise its longest prefix of whole characters
    /// that fits with "…" after it.
    public static func truncate(_ text: String, toBytes limit: Int) -> String {
        guard text.utf8.count > limit else { return text }
        let ellipsis = "…"
        var out = ""
        var used = ellipsis.utf8.count
        for character in text {
            let size = String(character).utf8.count
            if used + size > limit { break }
            out.append(character)
            used += size
        }
        return out + ellipsis
    }
}
