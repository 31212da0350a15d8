import Foundation
import HTTPServer
import PitstopCore
import PitstopStore

/// The signing page: the repair report as the customer pays for it, its photos, a signature
/// drawn with a finger, and the rating once signed. Rendered here with every value escaped;
/// the one script only draws the signature into a hidden field of a plain form, so a phone
/// without JavaScript signs with the typed name instead.
extension PublicPages {
    /// What the page shows; the route reads it in one read-only transaction.
    struct Signing {
        var order: WorkOrder
        var report: RepairReport?
        /// The hash a signature on `report` is bound to (the API's rendering of it).
        var reportSHA256: String?
        var acceptance: AcceptanceRepository.Acceptance?
        var rated: Bool
        /// Each report photo's short-lived URL, by media id; none without PITSTOP_SECRET_KEY, nor
        /// for a photo past the chain's media retention.
        var photoPaths: [UUID: String]
        var timeZone: TimeZone
    }

    static func signing(_ view: Signing, path: String, problems: [String: String] = [:], notice: String? = nil, status: Int = 200) -> HTTPResponse {
        var body = "<h1>工单 \(Markup.escape(view.order.number))</h1><p class=\"status\">\(Markup.escape(view.order.status.customerLabel))</p>"
        if let notice { body += "<p class=\"card error\" id=\"notice\">\(Markup.escape(notice))</p>" }
        if let report = view.report {
            body += reportCard(report, sha256: view.reportSHA256 ?? "", photoPaths: view.photoPaths)
        } else {
            body += "<p class=\"card\">维修报告尚未完成，完成后我们会通知您。</p>"
        }
        if let acceptance = view.acceptance {
            body += "<div class=\"card\"><p id=\"signed\">\(Markup.escape(acceptance.signerName)) 已于 \(time(acceptance.signedAt, view.timeZone)) 签字验收"
                + "（报告第 \(acceptance.reportVersion) 版）。</p></div>"
            body += view.rated ? "<p class=\"card\">感谢您的评价！</p>" : ratingForm(action: path + "/rating", problems: problems)
        } else if view.order.status == .awaitingAcceptance, let report = view.report, let sha256 = view.reportSHA256 {
            body += signatureForm(action: path, report: report, sha256: sha256, problems: problems)
        }
        var response = page(title: "维修验收", body: body, script: view.acceptance == nil ? signatureScript : "", style: style + documentStyle)
        response.status = status
        return response
    }

    /// A signature without script: the typed name, set as an SVG image (it holds text only).
    static func typedSignature(_ name: String) -> [UInt8] {
        Array("""
            <svg xmlns="http://www.w3.org/2000/svg" width="320" height="80"><text x="12" y="52" font-size="32">\(Markup.escape(name))</text></svg>
            """.utf8)
    }

    private static func reportCard(_ report: RepairReport, sha256: String, photoPaths: [UUID: String]) -> String {
        var card = "<div class=\"card\" id=\"report\"><h2>维修报告</h2>"
        if !report.diagnosis.isEmpty { card += "<p><b>检测结果</b><br>\(Markup.escape(report.diagnosis))</p>" }
        if !report.workPerformed.isEmpty { card += "<p><b>维修内容</b><br>\(Markup.escape(report.workPerformed))</p>" }
        let unpriced = "<span class=\"muted\">—</span>"
        if !report.parts.isEmpty {
            card += "<table><caption>配件</caption><tr><th>名称</th><th>数量</th><th>金额</th></tr>"
            card += report.parts.map { line in
                "<tr><td>\(Markup.escape(line.name))</td><td>\(Amount.text(line.quantity))</td><td>\(line.fen.map { Money.text(fen: $0) } ?? unpriced)</td></tr>"
            }.joined()
            card += "</table>"
        }
        if !report.labour.isEmpty {
            card += "<table><caption>工时</caption><tr><th>项目</th><th>工时</th><th>金额</th></tr>"
            card += report.labour.map { line in
                "<tr><td>\(Markup.escape(line.description))</td><td>\(Amount.text(line.hours)) 小时</td>"
                    + "<td>\(line.price.map { Money.text(fen: Money.fen($0)) } ?? unpriced)</td></tr>"
            }.joined()
            card += "</table>"
        }
        let totals = report.totals
        if !report.parts.isEmpty || !report.labour.isEmpty {
            card += "<p class=\"total\">配件 \(Money.text(fen: totals.parts)) · 工时 \(Money.text(fen: totals.labour))<br>"
                + "合计 <b id=\"total\">\(Money.text(fen: totals.total))</b></p>"
        }
        if let mileage = report.mileageKm { card += "<p>里程 \(mileage) 公里</p>" }
        for (title, photos) in [("维修前照片", report.beforePhotos), ("维修后照片", report.afterPhotos)] where !photos.isEmpty {
            card += "<h3>\(title)</h3><div class=\"photos\">"
            card += photos.enumerated().map { index, photo in
                photoPaths[photo.mediaID].map { "<img src=\"\(Markup.escape($0))\" alt=\"\(title) \(index + 1)\">" }
                    ?? "<p class=\"muted\">\(title) \(index + 1)（暂不可查看）</p>"
            }.joined()
            card += "</div>"
        }
        card += "<p class=\"muted\">报告第 \(report.version) 版 · 校验码 \(sha256.prefix(16))</p></div>"
        return card
    }

    private static func signatureForm(action: String, report: RepairReport, sha256: String, problems: [String: String]) -> String {
        """
        <form method="post" action="\(Markup.escape(action))" class="card" id="sign"><h2>签字验收</h2>
        <input type="hidden" name="report_version" value="\(report.version)"><input type="hidden" name="report_sha256" value="\(sha256)">
        <label for="signer_name">签字人姓名</label><input id="signer_name" name="signer_name" required maxlength="100" autocomplete="name">
        \(fieldProblem("signer_name", problems))
        <div id="pad" hidden><label for="canvas">请在框内手写签名</label><canvas id="canvas" width="320" height="160"></canvas>
        <button type="button" id="clear" class="secondary">重新签名</button></div>
        <input type="hidden" name="signature" id="signature">
        \(fieldProblem("signature", problems))
        <label class="check"><input type="checkbox" name="agree" value="yes" required> 我已查看以上维修报告，确认验收</label>
        \(fieldProblem("agree", problems))
        <button type="submit" id="submit">确认签字</button></form>
        """
    }

    static func ratingForm(action: String, problems: [String: String]) -> String {
        """
        <form method="post" action="\(Markup.escape(action))" class="card"><fieldset><legend>服务评分</legend>
        \((1...5).map { "<label class=\"star\"><input type=\"radio\" name=\"score\" value=\"\($0)\" required> \($0) 星</label>" }.joined())
        \(fieldProblem("score", problems))
        </fieldset><label for="comment">评价（选填）</label><textarea id="comment" name="comment" rows="3" maxlength="1000"></textarea>
        \(fieldProblem("comment", problems))
        <button type="submit">提交评价</button></form>
        """
    }

    static func fieldProblem(_ field: String, _ problems: [String: String]) -> String {
        problems[field].map { "<p class=\"error\" id=\"\(field)-error\">\(Markup.escape($0))</p>" } ?? ""
    }

    private static func time(_ date: Date, _ zone: TimeZone) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.string(from: date)
    }

    /// Tables of lines and prices, photos, the signature pad and a second button.
    static let documentStyle = """
        table{width:100%;border-collapse:collapse;margin:.6rem 0}caption{text-align:left;font-weight:600}
        th,td{text-align:left;padding:.3rem .2rem;border-bottom:1px solid #e5e6eb;vertical-align:top}th:last-child,td:last-child{text-align:right}
        .total{text-align:right}.photos img{display:block;max-width:100%;height:auto;border-radius:6px;margin:.3rem 0}h3{font-size:1rem;margin:.8rem 0 .2rem}
        canvas{width:100%;height:160px;border:1px dashed #86909c;border-radius:6px;background:#fff;touch-action:none}
        .secondary{background:#e5e6eb;color:#1d2129;margin-top:.4rem}
        """

    /// Shows the pad, draws the finger's strokes, and puts the drawing (PNG, base64) into the
    /// form's hidden field; a form sent with nothing drawn stays on the page with a word why.
    private static let signatureScript = """
        const pad = document.getElementById('pad'), canvas = document.getElementById('canvas'), form = document.getElementById('sign');
        if (form) {
          pad.hidden = false;
          const pen = canvas.getContext('2d');
          pen.lineWidth = 3; pen.lineCap = 'round'; pen.strokeStyle = '#1d2129';
          let drawing = false, drawn = false;
          const at = event => {
            const box = canvas.getBoundingClientRect();
            return [(event.clientX - box.left) * canvas.width / box.width, (event.clientY - box.top) * canvas.height / box.height];
          };
          canvas.addEventListener('pointerdown', event => { drawing = true; pen.beginPath(); pen.moveTo(...at(event)); canvas.setPointerCapture(event.pointerId); });
          canvas.addEventListener('pointermove', event => {
            if (!drawing) return;
            pen.lineTo(...at(event)); pen.stroke(); drawn = true;
            const word = document.getElementById('signature-error');
            if (word) word.textContent = '';
          });
          canvas.addEventListener('pointerup', () => { drawing = false; });
          document.getElementById('clear').addEventListener('click', () => { pen.clearRect(0, 0, canvas.width, canvas.height); drawn = false; });
          form.addEventListener('submit', event => {
            if (!drawn) {
              event.preventDefault();
              let word = document.getElementById('signature-error');
              if (!word) { word = document.createElement('p'); word.className = 'error'; word.id = 'signature-error'; pad.after(word); }
              word.textContent = '请在框内手写签名';
              return;
            }
            document.getElementById('signature').value = canvas.toDataURL('image/png').split(',')[1];
          });
        }
        """
}
