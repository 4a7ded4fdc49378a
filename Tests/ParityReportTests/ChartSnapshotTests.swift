import Foundation
import ParityCore
import ParityReport
import Testing

/// Golden-file tests for the charts and HTML pages. The output is deterministic text, so any change to
/// layout, scaling or escaping shows up as a diff. To accept an intended change, run the tests once
/// with RECORD_SNAPSHOTS=1 and review the files under Snapshots/ before committing them.
struct ChartSnapshotTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Snapshots")

    func assertSnapshot(_ text: String, named name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let url = Self.directory.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1" {
            try text.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        let stored = try String(contentsOf: url, encoding: .utf8)
        #expect(
            text == stored,
            "\(name) differs from its snapshot; rerun with RECORD_SNAPSHOTS=1 if intended",
            sourceLocation: sourceLocation
        )
    }

    @Test func barChart() throws {
        let svg = SVG.barChart(
            title: "Output tokens/s per chip",
            unit: "tok/s",
            bars: [
                (label: "hgx-h800", value: 1_661), (label: "cloudmatrix-384", value: 2_055), (label: "none", value: 0),
            ]
        )
        try assertSnapshot(svg, named: "bar-chart.svg")
    }

    @Test func stackedBars() throws {
        let svg = SVG.stackedBars(
            title: "Where the step time goes",
            unit: "s",
            rows: [
                (
                    label: "step",
                    parts: [(name: "gemm", value: 5.2), (name: "attention", value: 2.4), (name: "bubble", value: 0)]
                ),
                (label: "overlapped", parts: [(name: "dp_sync", value: 0.1)]),
            ]
        )
        try assertSnapshot(svg, named: "stacked-bars.svg")
    }

    @Test func scatterWithFront() throws {
        let points = [(x: 10.0, y: 900.0), (x: 20.0, y: 700.0), (x: 15.0, y: 500.0), (x: 40.0, y: 200.0)]
        let svg = SVG.scatter(
            title: "Plans",
            xLabel: "tok/s/user",
            yLabel: "tok/s/chip",
            points: points,
            front: [points[0], points[1], points[3]]
        )
        try assertSnapshot(svg, named: "scatter.svg")
    }

    @Test func pageEscapesTextAndKeepsTableNotes() throws {
        var page = HTMLPage(title: "A <b> & \"c\"")
        page.add(
            table: Table(
                title: "t",
                columns: ["name", "value"],
                alignments: [.left, .right],
                rows: [["x<y", "1"]],
                footnotes: ["note & more"]
            )
        )
        let html = page.render()
        #expect(html.contains("<title>A &lt;b&gt; &amp; &quot;c&quot;</title>"))
        #expect(html.contains("<td>x&lt;y</td>"))
        #expect(html.contains("note &amp; more"))
        #expect(!html.contains("<b>"))
        try assertSnapshot(html, named: "page.html")
    }

    @Test func barLengthsAreProportional() {
        let svg = SVG.barChart(title: "t", unit: "u", bars: [(label: "a", value: 1), (label: "b", value: 2)])
        let widths = svg.split(separator: "\n").filter { $0.hasPrefix("<rect") }.compactMap { line -> Double? in
            guard let start = line.range(of: "width=\"")?.upperBound else { return nil }
            return Double(line[start...].prefix { $0 != "\"" })
        }
        #expect(widths.count == 2)
        if widths.count == 2 { #expect(abs(widths[1] / widths[0] - 2) < 0.01) }
    }
}

extension ChartSnapshotTests {
    @Test func roofline() throws {
        let svg = SVG.roofline(
            title: "Roofline",
            bandwidth: 2.68e12,
            ceilings: [(label: "dense", flops: 1.29e15), (label: "attention", flops: 6.4e14)],
            points: [
                (label: "weights streaming", intensity: 60, achieved: 1.6e14),
                (label: "experts", intensity: 1_150, achieved: 1.29e15),
                (label: "no bytes", intensity: .infinity, achieved: 1e15),
            ]
        )
        // Ops without memory traffic have no place on the intensity axis and are left out.
        #expect(svg.components(separatedBy: "<circle").count - 1 == 2)
        try assertSnapshot(svg, named: "roofline.svg")
    }
}
