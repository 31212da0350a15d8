import Foundation
import Notifications
import PitstopCore
import Testing

/// Each service's answers sorted into delivered, failed (retry), throttled (wait, attempt not
/// counted) and rejected (dead at once), from the codes the services document.
@Suite struct ChannelAnswerTests {
    func read(_ kind: NotificationChannel.Kind, _ json: String, status: Int = 200, retryAfter: String? = nil) -> ChannelAnswer {
        ChannelAnswer.read(kind: kind, status: status, retryAfter: retryAfter, body: Array(json.utf8))
    }

    @Test func robots() {
        #expect(read(.dingtalk, #"{"errcode":0,"errmsg":"ok"}"#) == .accepted)
        #expect(read(.dingtalk, #"{"errcode":130101,"errmsg":"send too fast, exceed 20 times per minute"}"#)
                == .throttled("errcode 130101: send too fast, exceed 20 times per minute", seconds: 600, channelWide: true))
        guard case .throttled(_, 600, true) = read(.dingtalk, #"{"errcode":410100,"errmsg":"发送速度太快而限流"}"#) else {
            Issue.record("410100 is DingTalk's throttle")
            return
        }
        guard case .rejected = read(.dingtalk, #"{"errcode":460101,"errmsg":"message too long, exceed 20000 bytes"}"#),
              case .rejected = read(.dingtalk, #"{"errcode":310000,"errmsg":"sign not match"}"#),
              case .failed = read(.dingtalk, #"{"errcode":-1,"errmsg":"系统繁忙"}"#) else {
            Issue.record("DingTalk's permanent and passing errors")
            return
        }
        #expect(read(.wecom, #"{"errcode":0,"errmsg":"ok"}"#) == .accepted)
        guard case .throttled(_, 60, true) = read(.wecom, #"{"errcode":45009,"errmsg":"api freq out of limit"}"#),
              case .rejected = read(.wecom, #"{"errcode":40058,"errmsg":"markdown.content exceed max length 4096"}"#),
              case .rejected = read(.wecom, #"{"errcode":93000,"errmsg":"invalid webhook url"}"#),
              case .failed = read(.wecom, "<html>bad gateway</html>", status: 502) else {
            Issue.record("WeCom's answers")
            return
        }
    }

    @Test func aliyunSMS() {
        #expect(read(.aliyunSMS, #"{"Code":"OK","Message":"OK","BizId":"1"}"#) == .accepted)
        guard case .throttled(_, 60, false) = read(.aliyunSMS, #"{"Code":"isv.BUSINESS_LIMIT_CONTROL","Message":"触发分钟级流控Permits:1"}"#),
              case .throttled(_, 3600, false) = read(.aliyunSMS, #"{"Code":"isv.BUSINESS_LIMIT_CONTROL","Message":"触发小时级流控Permits:5"}"#),
              case .throttled(_, 86_400, false) = read(.aliyunSMS, #"{"Code":"isv.BUSINESS_LIMIT_CONTROL","Message":"触发天级流控Permits:10"}"#),
              case .throttled(_, _, true) = read(.aliyunSMS, #"{"Code":"isv.DAY_LIMIT_CONTROL","Message":"触发日发送限额"}"#) else {
            Issue.record("Aliyun's flow controls are throttles")
            return
        }
        for code in ["isv.PARAM_LENGTH_LIMIT", "isv.MOBILE_NUMBER_ILLEGAL", "isv.TEMPLATE_MISSING_PARAMETERS", "isv.SMS_TEMPLATE_ILLEGAL",
                     "isv.AMOUNT_NOT_ENOUGH", "SignatureDoesNotMatch"] {
            #expect(read(.aliyunSMS, #"{"Code":"\#(code)","Message":"x"}"#) == .rejected("Code \(code): x"))
        }
        guard case .failed = read(.aliyunSMS, #"{"Code":"isp.SYSTEM_ERROR","Message":"系统错误"}"#) else {
            Issue.record("a system error passes")
            return
        }
    }

    @Test func webhooksAndGateways() {
        #expect(read(.webhook, "", status: 204) == .accepted)
        guard case .throttled(_, 42, true) = read(.webhook, "slow down", status: 429, retryAfter: "42"),
              case .throttled(_, 60, true) = read(.httpSMS, "", status: 429),
              case .failed = read(.webhook, "", status: 503),
              case .failed = read(.webhook, "", status: 400) else {
            Issue.record("webhook answers by status")
            return
        }
    }
}
