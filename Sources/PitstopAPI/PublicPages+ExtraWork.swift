import Foundation
import PitstopCore

/// Extra work on the tracking page: the lines with their prices and the total, and two buttons
/// of a plain form, the proposal's hash sent with the answer so it binds what was on screen.
extension PublicPages {
    static func extraWorkCard(_ proposal: ExtraWork, action: String, problems: [String: String]) -> String {
        var card = "<form method=\"post\" action=\"\(Markup.escape(action))\" class=\"card\" id=\"extra-work\"><h2>待确认的增项</h2>"
        if !proposal.note.isEmpty { card += "<p>\(Markup.escape(proposal.note))</p>" }
        card += "<table><tr><th>项目</th><th>数量</th><th>金额</th></tr>"
        card += proposal.lines.map { line in
            "<tr><td>\(Markup.escape(line.description))</td><td>\(Amount.text(line.quantity)) × \(Money.text(fen: Money.fen(line.unitPrice)))</td>"
                + "<td>\(Money.text(fen: line.fen))</td></tr>"
        }.joined()
        card += "</table><p class=\"total\">增项合计 <b id=\"extra-total\">\(Money.text(fen: proposal.totalFen))</b></p>"
        card += "<input type=\"hidden\" name=\"sha256\" value=\"\(proposal.sha256)\">"
        card += fieldProblem("decision", problems)
        card += "<button type=\"submit\" name=\"decision\" value=\"approve\">同意增项</button>"
        card += "<button type=\"submit\" name=\"decision\" value=\"decline\" class=\"secondary\">不同意，按原方案维修</button></form>"
        return card
    }

    /// What the customer answered before, one line each.
    static func answeredExtraWork(_ proposals: [ExtraWork]) -> String {
        guard !proposals.isEmpty else { return "" }
        return "<div class=\"card\"><h2>增项记录</h2>" + proposals.map { proposal in
            "<p>\(Markup.escape(proposal.lines.map(\.description).joined(separator: "、"))) · \(Money.text(fen: proposal.totalFen)) · "
                + (proposal.state == .approved ? "您已同意" : "您未同意") + "</p>"
        }.joined() + "</div>"
    }
}
