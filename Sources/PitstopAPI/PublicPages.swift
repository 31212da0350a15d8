import Crypto
import Foundation
import HTTPServer
import PitstopCore

/// The pages a phone opens from a printed QR code, a tracking link or a signing link: rendered on
/// the server with every value escaped (`Markup.escape`), each a plain form that works without
/// script. The Content-Security-Policy allows exactly a page's own inline script and style
/// blocks, by hash, and requests to this origin only.
enum PublicPages {
    /// Whether a GET wants a page rather than JSON: browsers ask for text/html, API clients do not.
    static func wantsHTML(_ request: HTTPRequest) -> Bool {
        request.headers["Accept"]?.contains("text/html") ?? false
    }

    /// The tracking page, rendered here with every value escaped, and needing no script: a phone
    /// without JavaScript sees the same, and rates through a plain form. While the engineer is on
    /// the way the page reloads itself each minute, for a fresh ETA. `problems` are the rating
    /// form's, by field, shown beside it.
    static func tracking(_ view: TrackingView, shop: Shop?, path: String, problems: [String: String] = [:], notice: String? = nil,
                         status: Int = 200) -> HTTPResponse {
        var body = "<h1>工单 \(Markup.escape(view.number))</h1><p class=\"status\">\(Markup.escape(view.statusLabel))</p>"
        if let notice { body += "<p class=\"card error\" id=\"notice\">\(Markup.escape(notice))</p>" }
        if let engineer = view.engineer {
            body += "<p>负责工程师：\(Markup.escape(engineer))"
            if let eta = view.etaMinutes { body += "，预计 <b>\(eta) 分钟</b>后到达" }
            body += "</p>"
        }
        body += "<div class=\"card\"><p>\(Markup.escape(view.next.text))</p></div>"
        if view.next == .rate { body += ratingForm(action: path + "/rating", problems: problems) }
        if let proposal = view.extraWork {
            body += extraWorkCard(proposal, action: path + "/extra-work/\(proposal.id.lowercasedText)", problems: problems)
        }
        body += answeredExtraWork(view.answeredExtraWork)
        body += "<div class=\"card\"><h2>进度</h2><ol>"
        body += view.history.map { "<li>\(Markup.escape($0.label)) · \(Markup.escape($0.time))</li>" }.joined()
        body += "</ol></div>"
        if let shop {
            body += "<p class=\"muted\">\(Markup.escape(shop.name)) · \(Markup.escape(shop.address))"
            if let phone = shop.phone { body += " · <a href=\"tel:\(Markup.escape(phone))\">\(Markup.escape(phone))</a>" }
            body += "</p>"
        }
        var response = page(title: "工单进度", body: body, script: "", style: style + documentStyle, refresh: view.next == .expectEngineer ? 60 : nil)
        response.status = status
        return response
    }

    /// A public route a phone's browser opens or posts to: a refusal for too many requests comes
    /// back to a browser (or a page's form) as a page saying how long to wait, with its
    /// Retry-After; an API client still gets the problem.
    static func wrap(_ handler: @escaping Handler) -> Handler {
        ErrorMapping.wrap { request in
            do {
                return try handler(request)
            } catch let refused as Problem where refused.status == 429 && (wantsHTML(request) || APIApplication.isForm(request)) {
                var response = page(title: "请稍后再试", body: "<h1>访问过于频繁</h1><p class=\"card\">请 \(minutesToWait(refused)) 分钟后再试。</p>",
                                    script: "")
                response.status = 429
                for header in refused.headers { response.headers.add(header.name, header.value) }
                return response
            }
        }
    }

    /// A refusal's Retry-After in whole minutes, rounded up, as a page says it (a minute if unsaid).
    static func minutesToWait(_ refused: Problem) -> Int {
        let seconds = refused.headers.first { $0.name == "Retry-After" }.flatMap { Int($0.value) } ?? 60
        return (seconds + 59) / 60
    }

    /// The one page for a link of `kind` that is wrong, expired or unknown: none says which.
    static func unknownLink(_ kind: PublicToken.Kind) -> HTTPResponse {
        let (title, heading) = switch kind {
        case .acceptance: ("维修验收", "未找到该验收单")
        case .intake: ("在线报修", "未找到该报修码")
        case .tracking, .wechat, .smsReplies: ("工单进度", "未找到该工单")
        }
        var response = page(title: title, body: "<h1>\(heading)</h1><p class=\"card\">链接无效或已过期，请联系门店。</p>", script: "")
        response.status = 404
        return response
    }

    static func page(title: String, body: String, script: String, style: String = PublicPages.style, refresh: Int? = nil) -> HTTPResponse {
        let html = """
            <!doctype html>
            <html lang="zh-CN"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">\(refresh.map { "<meta http-equiv=\"refresh\" content=\"\($0)\">" } ?? "")
            <title>\(title)</title><style>\(style)</style></head>
            <body><main>\(body)</main>\(script.isEmpty ? "" : "<script>\(script)</script>")</body></html>
            """
        var response = HTTPResponse.text(html, contentType: "text/html; charset=utf-8")
        response.headers.add("Content-Security-Policy",
                             "default-src 'none'; script-src '\(hash(script))'; style-src '\(hash(style))'; connect-src 'self'; "
                             + "img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
        response.headers.add("X-Content-Type-Options", "nosniff")
        response.headers.add("Referrer-Policy", "no-referrer")
        response.headers.add("Cache-Control", "no-store")
        response.headers.add("Vary", "Accept")
        return response
    }

    static func hash(_ text: String) -> String {
        "sha256-" + Data(Digest.sha256(text)).base64EncodedString()
    }

    static let style = """
        body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1d2129}
        main{max-width:34rem;margin:0 auto;padding:1rem}
        h1{font-size:1.3rem;margin:.5rem 0}
        label{display:block;margin:.8rem 0 .2rem;font-weight:600}
        input,select,textarea{width:100%;box-sizing:border-box;padding:.6rem;border:1px solid #c9cdd4;border-radius:6px;font:inherit}
        input[type=checkbox],input[type=radio]{width:auto}
        button{margin-top:1.2rem;width:100%;padding:.8rem;border:0;border-radius:6px;background:#165dff;color:#fff;font:inherit}
        .muted{color:#86909c}.error{color:#cb2634}.card{background:#fff;border-radius:8px;padding:1rem;margin:.8rem 0}
        ol{padding-left:1.2rem}h2{font-size:1.05rem;margin:0 0 .4rem}.status{font-size:1.15rem;font-weight:600;color:#165dff}
        fieldset{border:0;padding:0;margin:0}legend{font-weight:600}.star{display:inline-block;margin:.3rem .8rem .3rem 0;font-weight:400}
        .check{font-weight:400}
        """
}
