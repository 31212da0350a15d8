import Foundation

/// A small line or bar chart as SVG: one or more series over shared labels, with axes, a
/// y-axis scaled to round numbers, a legend and a title. Text is escaped for XML and set in
/// fonts that have Chinese glyphs on common systems. Pure: no I/O, so it is tested as text.
public struct SVGChart: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        case line, bar
    }

    public struct Series: Sendable {
        public var name: String
        public var values: [Double]

        public init(name: String, values: [Double]) {
            self.name = name
            self.values = values
        }
    }

    public var title: String
    public var kind: Kind
    /// One label per point (days, shops, channels).
    public var labels: [String]
    public var series: [Series]
    public var width = 800
    public var height = 400

    public init(title: String, kind: Kind, labels: [String], series: [Series]) {
        self.title = title
        self.kind = kind
        self.labels = labels
        self.series = series
    }

    static let palette = ["#2563eb", "#16a34a", "#dc2626", "#d97706", "#7c3aed", "#0891b2"]
    static let font = "font-family=\"'PingFang SC','Microsoft YaHei','Noto Sans CJK SC','Source Han Sans SC',sans-serif\""

    // Plot area margins.
    let left = 56.0, right = 16.0, top = 48.0, bottom = 72.0

    public func render() -> String {
        let plotWidth = Double(width) - left - right
        let plotHeight = Double(height) - top - bottom
        let maximum = series.flatMap(\.values).max() ?? 0
        let ticks = Self.ticks(upTo: maximum)
        let top = ticks.last ?? 1
        func y(_ value: Double) -> Double { self.top + plotHeight - plotHeight * (top > 0 ? value / top : 0) }
        let count = max(labels.count, 1)
        let step = plotWidth / Double(count)
        func x(_ index: Int) -> Double { left + step * (Double(index) + 0.5) }

        var out = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)" \
            role="img" aria-label="\(Markup.escape(title))">
            <rect width="100%" height="100%" fill="#ffffff"/>
            <text x="\(Self.number(Double(width) / 2))" y="24" text-anchor="middle" font-size="16" \(Self.font) fill="#111827">\
            \(Markup.escape(title))</text>

            """
        // Grid lines and y-axis labels.
        for tick in ticks {
            let at = Self.number(y(tick))
            out += """
                <line x1="\(Self.number(left))" y1="\(at)" x2="\(Self.number(left + plotWidth))" y2="\(at)" stroke="#e5e7eb"/>
                <text x="\(Self.number(left - 6))" y="\(at)" text-anchor="end" dominant-baseline="middle" font-size="11" \(Self.font) \
                fill="#4b5563">\(Markup.escape(Self.label(tick)))</text>

                """
        }
        // Axes.
        out += """
            <line x1="\(Self.number(left))" y1="\(Self.number(self.top))" x2="\(Self.number(left))" y2="\(Self.number(self.top + plotHeight))" stroke="#6b7280"/>
            <line x1="\(Self.number(left))" y1="\(Self.number(self.top + plotHeight))" x2="\(Self.number(left + plotWidth))" \
            y2="\(Self.number(self.top + plotHeight))" stroke="#6b7280"/>

            """
        // X labels: every nth so they never crowd, turned when there are many.
        let every = max(1, Int((Double(labels.count) * 60 / plotWidth).rounded(.up)))
        let turned = labels.count > 12
        for (index, label) in labels.enumerated() where index % every == 0 {
            let lx = Self.number(x(index))
            let ly = Self.number(self.top + plotHeight + 16)
            let transform = turned ? " transform=\"rotate(-45 \(lx) \(ly))\"" : ""
            out += """
                <text x="\(lx)" y="\(ly)" text-anchor="\(turned ? "end" : "middle")" font-size="11" \(Self.font) fill="#4b5563"\(transform)>\
                \(Markup.escape(label))</text>

                """
        }
        // The series.
        for (number, line) in series.enumerated() {
            let colour = Self.palette[number % Self.palette.count]
            switch kind {
            case .line:
                let points = line.values.prefix(labels.count).enumerated().map { "\(Self.number(x($0.offset))),\(Self.number(y($0.element)))" }
                out += "<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\" points=\"\(points.joined(separator: " "))\"/>\n"
            case .bar:
                let groupWidth = step * 0.8
                let barWidth = groupWidth / Double(max(series.count, 1))
                for (index, value) in line.values.prefix(labels.count).enumerated() {
                    let bx = x(index) - groupWidth / 2 + barWidth * Double(number)
                    out += """
                        <rect x="\(Self.number(bx))" y="\(Self.number(y(value)))" width="\(Self.number(max(barWidth - 1, 1)))" \
                        height="\(Self.number(self.top + plotHeight - y(value)))" fill="\(colour)"/>

                        """
                }
            }
            // Legend, top right.
            let lx = Double(width) - right - 120
            let ly = 40.0 + 16 * Double(number)
            out += """
                <rect x="\(Self.number(lx))" y="\(Self.number(ly - 9))" width="10" height="10" fill="\(colour)"/>
                <text x="\(Self.number(lx + 14))" y="\(Self.number(ly))" font-size="11" \(Self.font) fill="#111827">\(Markup.escape(line.name))</text>

                """
        }
        return out + "</svg>\n"
    }

    /// Round steps from 0 to at least `maximum`: 1, 2 or 5 times a power of ten, about five.
    public static func ticks(upTo maximum: Double) -> [Double] {
        guard maximum > 0, maximum.isFinite else { return [0, 1] }
        let raw = maximum / 5
        let power = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * power }.first { $0 >= raw } ?? 10 * power
        var ticks: [Double] = []
        var value = 0.0
        while value < maximum + step / 2 {
            ticks.append(value)
            value += step
        }
        if (ticks.last ?? 0) < maximum { ticks.append(value) }
        return ticks
    }

    static func label(_ value: Double) -> String {
        value.rounded() == value ? String(Int(value)) : String(format: "%.2g", value)
    }

    static func number(_ value: Double) -> String {
        String(format: "%.1f", value)
    }
}
