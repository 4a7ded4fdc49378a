import Foundation
import ParityCore

/// Charts as self-contained SVG text: deterministic output (fixed number formatting, no random ids)
/// so that reports can be checked against golden files.
public enum SVG {
    static let palette = [
        "#3b6ea8", "#d9822b", "#4f9a58", "#b84a4a", "#7d5ba6", "#8c6d46", "#c45c9a", "#6b7b8c", "#a8a23b", "#3ba8a0",
        "#e0a3a3", "#23395b",
    ]

    static func escape(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }

    /// The opening tag and the title every chart starts with.
    static func header(width: Double, height: Double, title: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(f(width))\" height=\"\(f(height))\" viewBox=\"0 0 \(f(width)) \(f(height))\" font-family=\"sans-serif\" font-size=\"12\">\n"
            + "<text x=\"8\" y=\"20\" font-size=\"14\" font-weight=\"bold\">\(escape(title))</text>\n"
    }

    /// The x axis along `bottom` and the y axis along `left`, in pixels.
    static func axes(left: Double, right: Double, top: Double, bottom: Double) -> String {
        "<line x1=\"\(f(left))\" y1=\"\(f(bottom))\" x2=\"\(f(right))\" y2=\"\(f(bottom))\" stroke=\"#333\"/>\n"
            + "<line x1=\"\(f(left))\" y1=\"\(f(top))\" x2=\"\(f(left))\" y2=\"\(f(bottom))\" stroke=\"#333\"/>\n"
    }

    static func f(_ x: Double) -> String { formatNumber(x, decimals: 1).replacingAll(",", with: "") }

    /// Horizontal bars, one per label, scaled to the largest value.
    /// Horizontal bars; a bar whose label has a range gets an error bar from its low to its high.
    public static func barChart(
        title: String,
        unit: String,
        bars: [(label: String, value: Double)],
        ranges: [String: (low: Double, high: Double)] = [:]
    ) -> String {
        let width = 640.0
        let left = 160.0
        let barHeight = 22.0
        let gap = 8.0
        let top = 36.0
        let height = top + Double(bars.count) * (barHeight + gap) + 24
        let highest = bars.map { max($0.value, ranges[$0.label]?.high ?? 0) }.max() ?? 1
        let maximum = max(highest, 1e-12)
        let scale = (width - left - 110) / maximum
        var out = header(width: width, height: height, title: title)
        for (i, bar) in bars.enumerated() {
            let y = top + Double(i) * (barHeight + gap)
            let length = max(0, bar.value) * scale
            out += "<text x=\"\(f(left - 8))\" y=\"\(f(y + 15))\" text-anchor=\"end\">\(escape(bar.label))</text>\n"
            out +=
                "<rect x=\"\(f(left))\" y=\"\(f(y))\" width=\"\(f(length))\" height=\"\(f(barHeight))\" fill=\"\(palette[0])\"/>\n"
            var labelX = left + length + 6
            if let range = ranges[bar.label], range.high > range.low {
                let (x0, x1, mid) = (left + max(0, range.low) * scale, left + range.high * scale, y + barHeight / 2)
                out +=
                    "<path d=\"M\(f(x0)) \(f(mid))H\(f(x1))M\(f(x0)) \(f(mid - 5))V\(f(mid + 5))M\(f(x1)) \(f(mid - 5))V\(f(mid + 5))\" stroke=\"#222\" stroke-width=\"1.5\" fill=\"none\"><title>\(escape(formatNumber(range.low, decimals: 0)))-\(escape(formatNumber(range.high, decimals: 0))) \(escape(unit))</title></path>\n"
                labelX = max(labelX, x1 + 6)
            }
            out +=
                "<text x=\"\(f(labelX))\" y=\"\(f(y + 15))\">\(escape(formatNumber(bar.value, decimals: bar.value < 10 ? 2 : 0))) \(escape(unit))</text>\n"
        }
        return out + "</svg>\n"
    }

    /// One bar per row, split into coloured segments (a time breakdown), with a legend.
    public static func stackedBars(
        title: String,
        unit: String,
        rows: [(label: String, parts: [(name: String, value: Double)])]
    )
        -> String
    {
        let width = 640.0
        let left = 160.0
        let barHeight = 22.0
        let gap = 8.0
        let top = 36.0
        let names = rows.flatMap { $0.parts.map(\.name) }.reduce(into: [String]()) {
            if !$0.contains($1) { $0.append($1) }
        }
        let legendHeight = Double((names.count + 2) / 3) * 18
        let height = top + Double(rows.count) * (barHeight + gap) + legendHeight + 24
        let maximum = max(rows.map { $0.parts.map(\.value).reduce(0, +) }.max() ?? 1, 1e-12)
        var out = header(width: width, height: height, title: title)
        for (i, row) in rows.enumerated() {
            let y = top + Double(i) * (barHeight + gap)
            out += "<text x=\"\(f(left - 8))\" y=\"\(f(y + 15))\" text-anchor=\"end\">\(escape(row.label))</text>\n"
            var x = left
            for part in row.parts where part.value > 0 {
                let length = part.value / maximum * (width - left - 110)
                let color = palette[(names.firstIndex(of: part.name) ?? 0) % palette.count]
                out +=
                    "<rect x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(f(length))\" height=\"\(f(barHeight))\" fill=\"\(color)\"><title>\(escape(part.name)): \(escape(formatNumber(part.value, decimals: 3))) \(escape(unit))</title></rect>\n"
                x += length
            }
            let total = row.parts.map(\.value).reduce(0, +)
            out +=
                "<text x=\"\(f(x + 6))\" y=\"\(f(y + 15))\">\(escape(formatNumber(total, decimals: 2))) \(escape(unit))</text>\n"
        }
        let legendTop = top + Double(rows.count) * (barHeight + gap) + 8
        for (i, name) in names.enumerated() {
            let x = 8 + Double(i % 3) * 210
            let y = legendTop + Double(i / 3) * 18
            out +=
                "<rect x=\"\(f(x))\" y=\"\(f(y))\" width=\"12\" height=\"12\" fill=\"\(palette[i % palette.count])\"/>\n"
            out += "<text x=\"\(f(x + 16))\" y=\"\(f(y + 10))\">\(escape(name))</text>\n"
        }
        return out + "</svg>\n"
    }

    /// Points on two axes with the front drawn as a line (a Pareto front).
    public static func scatter(
        title: String,
        xLabel: String,
        yLabel: String,
        points: [(x: Double, y: Double)],
        front: [(x: Double, y: Double)]
    ) -> String {
        let width = 640.0
        let height = 400.0
        let left = 70.0
        let bottom = 50.0
        let top = 36.0
        let right = 20.0
        let points = points.filter { $0.x.isFinite && $0.y.isFinite }
        let front = front.filter { $0.x.isFinite && $0.y.isFinite }
        let maxX = max(points.map(\.x).max() ?? 1, 1e-12) * 1.05
        let maxY = max(points.map(\.y).max() ?? 1, 1e-12) * 1.05
        func px(_ x: Double) -> Double { left + x / maxX * (width - left - right) }
        func py(_ y: Double) -> Double { height - bottom - y / maxY * (height - bottom - top) }
        var out = header(width: width, height: height, title: title)
        out += axes(left: left, right: width - right, top: top, bottom: height - bottom)
        for i in 0...4 {
            let xv = maxX * Double(i) / 4
            let yv = maxY * Double(i) / 4
            out +=
                "<text x=\"\(f(px(xv)))\" y=\"\(f(height - bottom + 16))\" text-anchor=\"middle\">\(escape(formatNumber(xv)))</text>\n"
            out +=
                "<text x=\"\(f(left - 6))\" y=\"\(f(py(yv) + 4))\" text-anchor=\"end\">\(escape(formatNumber(yv)))</text>\n"
        }
        out +=
            "<text x=\"\(f((left + width - right) / 2))\" y=\"\(f(height - 12))\" text-anchor=\"middle\">\(escape(xLabel))</text>\n"
        out +=
            "<text x=\"16\" y=\"\(f((top + height - bottom) / 2))\" text-anchor=\"middle\" transform=\"rotate(-90 16 \(f((top + height - bottom) / 2)))\">\(escape(yLabel))</text>\n"
        for p in points {
            out += "<circle cx=\"\(f(px(p.x)))\" cy=\"\(f(py(p.y)))\" r=\"3\" fill=\"#9aa7b5\"/>\n"
        }
        if !front.isEmpty {
            let path = front.sorted { $0.x < $1.x }.map { "\(f(px($0.x))),\(f(py($0.y)))" }.joined(separator: " ")
            out += "<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(palette[1])\" stroke-width=\"2\"/>\n"
            for p in front {
                out += "<circle cx=\"\(f(px(p.x)))\" cy=\"\(f(py(p.y)))\" r=\"4\" fill=\"\(palette[1])\"/>\n"
            }
        }
        return out + "</svg>\n"
    }

    /// A roofline on log-log axes: operations placed by arithmetic intensity (FLOP per byte) and
    /// achieved FLOP/s, under the bandwidth slope and one dashed ceiling per compute rate.
    public static func roofline(
        title: String,
        bandwidth: Double,
        ceilings: [(label: String, flops: Double)],
        points: [(label: String, intensity: Double, achieved: Double)]
    ) -> String {
        let width = 640.0
        let height = 420.0
        let left = 80.0
        let right = 150.0
        let top = 36.0
        let bottom = 50.0
        let shown = points.filter {
            $0.intensity.isFinite && $0.intensity > 0 && $0.achieved.isFinite && $0.achieved > 0
        }
        let peak = ceilings.map(\.flops).filter { $0.isFinite && $0 > 0 }.max() ?? 1
        guard bandwidth.isFinite, bandwidth > 0 else { return "" }
        let ridge = peak / bandwidth
        let xs = shown.map(\.intensity) + [ridge]
        let lowX = floor(log10(max(xs.min() ?? 1, 1e-3))) - 0.0
        let highX = ceil(log10(xs.max() ?? 10)) + 0.0
        let ys = shown.map(\.achieved) + [peak]
        let lowY = floor(log10(max(ys.min() ?? 1, 1)))
        let highY = ceil(log10(peak * 1.5))
        let spanX: Double = max(highX - lowX, 1)
        let spanY: Double = max(highY - lowY, 1)
        func px(_ x: Double) -> Double {
            let fraction: Double = (log10(x) - lowX) / spanX
            return left + fraction * (width - left - right)
        }
        func py(_ y: Double) -> Double {
            let fraction: Double = (log10(y) - lowY) / spanY
            return height - bottom - fraction * (height - top - bottom)
        }
        var out = header(width: width, height: height, title: title)
        out += axes(left: left, right: width - right, top: top, bottom: height - bottom)
        for e in stride(from: lowX, through: highX, by: 1) {
            out +=
                "<text x=\"\(f(px(pow(10, e))))\" y=\"\(f(height - bottom + 16))\" text-anchor=\"middle\">\(escape(formatNumber(pow(10, e), decimals: e < 0 ? Int(-e) : 0)))</text>\n"
        }
        for e in stride(from: lowY, through: highY, by: 1) {
            out +=
                "<text x=\"\(f(left - 6))\" y=\"\(f(py(pow(10, e)) + 4))\" text-anchor=\"end\">\(escape(formatNumber(pow(10, e - 12), decimals: e < 12 ? Int(12 - e) : 0)))</text>\n"
        }
        out +=
            "<text x=\"\(f((left + width - right) / 2))\" y=\"\(f(height - 12))\" text-anchor=\"middle\">arithmetic intensity (FLOP per byte of HBM traffic)</text>\n"
        out +=
            "<text x=\"16\" y=\"\(f((top + height - bottom) / 2))\" text-anchor=\"middle\" transform=\"rotate(-90 16 \(f((top + height - bottom) / 2)))\">achieved TFLOP/s per rank</text>\n"
        // The bandwidth slope up to the highest ceiling.
        let startX = pow(10, lowX)
        out +=
            "<line x1=\"\(f(px(startX)))\" y1=\"\(f(py(max(bandwidth * startX, pow(10, lowY)))))\" x2=\"\(f(px(ridge)))\" y2=\"\(f(py(peak)))\" stroke=\"#333\" stroke-width=\"1.5\"/>\n"
        for (i, ceiling) in ceilings.enumerated() where ceiling.flops.isFinite && ceiling.flops > 0 {
            let y = py(ceiling.flops)
            let x0 = px(max(ceiling.flops / bandwidth, startX))
            out +=
                "<line x1=\"\(f(x0))\" y1=\"\(f(y))\" x2=\"\(f(width - right))\" y2=\"\(f(y))\" stroke=\"\(palette[(i + 1) % palette.count])\" stroke-dasharray=\"5,3\"/>\n"
            out +=
                "<text x=\"\(f(width - right + 4))\" y=\"\(f(y + 4))\">\(escape(ceiling.label))</text>\n"
        }
        for (i, point) in shown.enumerated() {
            out +=
                "<circle cx=\"\(f(px(point.intensity)))\" cy=\"\(f(py(point.achieved)))\" r=\"5\" fill=\"\(palette[0])\"><title>\(escape(point.label)): \(escape(formatNumber(point.intensity, decimals: 1))) FLOP/B, \(escape(formatNumber(point.achieved / 1e12, decimals: 1))) TFLOP/s</title></circle>\n"
            out +=
                "<text x=\"\(f(px(point.intensity) + 7))\" y=\"\(f(py(point.achieved) - 6 - Double(i % 2) * 10))\" font-size=\"10\">\(escape(point.label))</text>\n"
        }
        return out + "</svg>\n"
    }
}

/// A self-contained HTML page: a title, tables and inline SVG charts, no external resources.
public struct HTMLPage: Sendable {
    public var title: String
    public var sections: [String] = []

    public init(title: String) { self.title = title }

    public mutating func add(table: Table) {
        var html = "<table>\n"
        if let title = table.title { html += "<caption>\(SVG.escape(title))</caption>\n" }
        html += "<tr>" + table.columns.map { "<th>\(SVG.escape($0))</th>" }.joined() + "</tr>\n"
        for row in table.rows {
            html += "<tr>" + row.map { "<td>\(SVG.escape($0))</td>" }.joined() + "</tr>\n"
        }
        html += "</table>\n"
        for note in table.footnotes { html += "<p class=\"note\">\(SVG.escape(note))</p>\n" }
        sections.append(html)
    }

    public mutating func add(svg: String) { sections.append("<figure>\n\(svg)</figure>\n") }

    public func render() -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <title>\(SVG.escape(title))</title>
        <style>
        body { font-family: sans-serif; margin: 2em; color: #222; }
        table { border-collapse: collapse; margin: 1em 0; }
        th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: right; }
        th:first-child, td:first-child { text-align: left; }
        caption { font-weight: bold; text-align: left; padding: 4px 0; }
        .note { color: #555; font-size: 0.9em; margin: 0.2em 0; }
        figure { margin: 1.5em 0; }
        </style>
        </head>
        <body>
        <h1>\(SVG.escape(title))</h1>
        \(sections.joined(separator: "\n"))
        </body>
        </html>

        """
    }
}
