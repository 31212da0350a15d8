import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import PitstopCore
import Testing

@Suite struct SVGChartTests {
    /// Parses `text` as XML; returns the element names, or nil when it is not well-formed.
    static func elements(_ text: String) -> [String]? {
        final class Collector: NSObject, XMLParserDelegate {
            var names: [String] = []
            func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                        attributes: [String: String] = [:]) {
                names.append(name)
            }
        }
        let parser = XMLParser(data: Data(text.utf8))
        let collector = Collector()
        parser.delegate = collector
        return parser.parse() ? collector.names : nil
    }

    @Test func aChartIsWellFormedSVGWithItsTextEscaped() throws {
        for kind in SVGChart.Kind.allCases {
            let svg = SVGChart(title: "工单数量 <本月> & \"上月\"", kind: kind, labels: ["11-01", "西湖店", "a<b"],
                               series: [.init(name: "新建", values: [3, 0, 12]), .init(name: "完成", values: [1, 2, 9])]).render()
            let names = try #require(Self.elements(svg), "\(svg)")
            #expect(names.first == "svg")
            #expect(svg.contains("工单数量 &lt;本月&gt; &amp; &quot;上月&quot;"))
            #expect(svg.contains("西湖店") && svg.contains("a&lt;b"))
            #expect(names.contains(kind == .line ? "polyline" : "rect"))
        }
    }

    @Test func emptyAndManyPointChartsStillDraw() throws {
        let empty = SVGChart(title: "无数据", kind: .bar, labels: [], series: [.init(name: "新建", values: [])]).render()
        #expect(Self.elements(empty) != nil)
        let days = (1...366).map { String(format: "D%03d", $0) }
        let year = SVGChart(title: "全年", kind: .line, labels: days, series: [.init(name: "新建", values: days.indices.map { Double($0 % 40) })]).render()
        #expect(Self.elements(year) != nil)
        // The axis labels thin out rather than overlap.
        #expect(year.components(separatedBy: "rotate(-45").count - 1 < 60)
    }

    @Test(arguments: [(0, [0, 1]), (7, [0, 2, 4, 6, 8]), (100, [0, 20, 40, 60, 80, 100]), (1234, [0, 500, 1000, 1500])] as [(Double, [Double])])
    func theYAxisStepsByRoundNumbers(maximum: Double, expected: [Double]) {
        #expect(SVGChart.ticks(upTo: maximum) == expected)
    }

    @Test func controlCharactersAreDroppedFromText() {
        #expect(Markup.escape("a\u{01}b\tc") == "ab\tc")
    }
}
