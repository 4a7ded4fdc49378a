public import ParityCore

/// HTML pages for the reports: the same tables as the text output, plus charts.
public enum HTMLReports {
    /// A page holding just a table, for reports without a chart.
    public static func page(_ table: Table) -> String {
        var page = HTMLPage(title: table.title ?? "Parity report")
        page.add(table: table)
        return page.render()
    }

    /// A training or serving prediction: the table and, for training, where the step time goes.
    public static func prediction(
        _ table: Table,
        estimate: TrainingEstimate?,
        servingStep: ServingEstimator.StepBreakdown? = nil
    ) -> String {
        var page = HTMLPage(title: table.title ?? "Parity prediction")
        if let s = servingStep {
            let parts = s.parts.filter { $0.time.value > 0 }.map { (name: $0.name, value: $0.time.value * 1_000) }
            page.add(
                svg: SVG.stackedBars(
                    title: "Where a decode step goes (per rank)",
                    unit: "ms",
                    rows: [(label: "decode step", parts: parts)]
                )
            )
            var ceilings: [(label: String, flops: Double)] = []
            for op in s.ops where !ceilings.contains(where: { $0.flops == op.computeRate.value }) {
                ceilings.append((label: "\(op.name) ceiling", flops: op.computeRate.value))
            }
            page.add(
                svg: SVG.roofline(
                    title: "Roofline: the step's operations against the achievable ceilings",
                    bandwidth: s.memoryBandwidth.value,
                    ceilings: ceilings,
                    points: s.ops.map { (label: $0.name, intensity: $0.intensity, achieved: $0.achieved) }
                )
            )
        }
        if let e = estimate {
            let exposed = e.breakdown.parts.filter { $0.time.value > 0 }.map { (name: $0.name, value: $0.time.value) }
            let hidden = e.breakdown.hidden.filter { $0.time.value > 0 }
                .map { (name: $0.name + " (overlapped)", value: $0.time.value) }
            var rows = [(label: "step (exposed)", parts: exposed)]
            if !hidden.isEmpty { rows.append((label: "overlapped", parts: hidden)) }
            page.add(svg: SVG.stackedBars(title: "Where the step time goes", unit: "s", rows: rows))
        }
        page.add(table: table)
        return page.render()
    }

    /// A comparison of systems: bars for the headline rate, per dollar and per kilojoule.
    public static func comparison(
        _ table: Table,
        bars: [(title: String, unit: String, values: [(String, Double)])],
        breakdowns: (title: String, unit: String, rows: [(label: String, parts: [(name: String, value: Double)])])? =
            nil,
        firstChartBands: [String: (low: Double, high: Double)] = [:]
    ) -> String {
        var page = HTMLPage(title: table.title ?? "Parity comparison")
        for (index, chart) in bars.enumerated() where !chart.values.isEmpty {
            page.add(
                svg: SVG.barChart(
                    title: chart.title,
                    unit: chart.unit,
                    bars: chart.values.map { (label: $0.0, value: $0.1) },
                    ranges: index == 0 ? firstChartBands : [:]
                )
            )
        }
        if let breakdowns, !breakdowns.rows.isEmpty {
            page.add(svg: SVG.stackedBars(title: breakdowns.title, unit: breakdowns.unit, rows: breakdowns.rows))
        }
        page.add(table: table)
        return page.render()
    }

    /// A serving plan search: every plan that fits, with the Pareto front drawn through them.
    public static func servingSearch(
        _ table: Table,
        points: [(x: Double, y: Double)],
        front: [(x: Double, y: Double)]
    ) -> String {
        scatter(
            table,
            title: "Plans that fit: throughput per chip against speed per user",
            xLabel: "output tokens/s per user",
            yLabel: "output tokens/s per chip",
            points: points,
            front: front
        )
    }

    /// A table under a scatter chart with a front, for any two measures.
    public static func scatter(
        _ table: Table,
        title: String,
        xLabel: String,
        yLabel: String,
        points: [(x: Double, y: Double)],
        front: [(x: Double, y: Double)]
    ) -> String {
        var page = HTMLPage(title: table.title ?? "Parity")
        page.add(svg: SVG.scatter(title: title, xLabel: xLabel, yLabel: yLabel, points: points, front: front))
        page.add(table: table)
        return page.render()
    }

    /// A validation run: how the |error| of the predicted cases is spread, by workload.
    public static func validation(_ report: ValidationReport) -> String {
        let table = report.table
        var page = HTMLPage(title: table.title ?? "Parity validation")
        let edges = [0.05, 0.10, 0.20, 0.30, 0.50, 1.0]
        for (workload, _) in report.grouped(by: \.workload) {
            let errors = report.cases.filter { $0.workload == workload }.compactMap(\.error).map(abs)
            var counts = [Int](repeating: 0, count: edges.count + 1)
            for e in errors { counts[edges.firstIndex { e < $0 } ?? edges.count] += 1 }
            var labels: [String] = []
            var lower = 0.0
            for edge in edges {
                labels.append("\(Int((lower * 100).rounded()))-\(Int((edge * 100).rounded()))%")
                lower = edge
            }
            labels.append(">= \(Int((lower * 100).rounded()))%")
            page.add(
                svg: SVG.barChart(
                    title: "\(workload): |error| of \(errors.count) predicted cases",
                    unit: "cases",
                    bars: zip(labels, counts).map { (label: $0.0, value: Double($0.1)) }
                )
            )
        }
        page.add(table: table)
        return page.render()
    }
}
