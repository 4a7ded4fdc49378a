import ArgumentParser
import ParityCatalog
import ParityCore
import ParityReport
import ParitySimulation

struct Run: RenderingCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a scenario: validate it and predict its metrics.",
        discussion: """
            The whole file is validated first: unknown keys, wrong types, negative or non-finite numbers and \
            unknown models, chips or systems are errors naming the file and key path (exit status 2). A \
            workload that cannot be predicted honestly is an error saying why (exit status 1).
            """
    )

    @Argument(help: "A scenario YAML file (scenarios/SCHEMA.md).")
    var scenario: String

    @Option(help: "Output format: table, json, csv, markdown or html (a page with charts).")
    var format: OutputFormat = .table

    @Option(
        name: .customLong("sweep-rate"),
        help: ArgumentHelp(
            "Simulate Poisson request rates LOW:HIGH:STEPS (requests/s, evenly spaced) and print latency percentiles against rate, with the knee where the objectives break.",
            valueName: "low:high:steps"
        )
    )
    var sweepRate: String?

    @OptionGroup var catalogOptions: CatalogOptions

    mutating func render() throws -> String {
        let catalog = try catalogOptions.load()
        let file = try ScenarioFile.load(path: scenario, catalog: catalog)
        if let sweepRate { return try renderCurve(file, rates: try Self.rates(sweepRate), catalog: catalog) }
        let prediction: ScenarioPrediction
        do {
            prediction = try file.predict(catalog: catalog)
        } catch let error as EstimationError {
            throw PredictionError("\(scenario): \(error.message)")
        }
        switch format {
        case .json:
            return TrainingReport.value(
                id: prediction.id,
                metrics: prediction.metrics,
                estimate: prediction.training,
                notes: prediction.notes,
                economics: prediction.economics,
                servingStep: prediction.servingStep,
                prefillPass: prediction.prefillPass,
                servingPlan: prediction.servingPlan,
                plansWeighed: prediction.plansWeighed,
                bands: prediction.bands,
                assumptions: prediction.assumptions,
                percentiles: prediction.load?.percentiles.map {
                    ($0.name, $0.summary.mean, $0.summary.p50, $0.summary.p90, $0.summary.p99)
                } ?? [],
                load: prediction.load.map { l in
                    [("requests_per_s", l.requestsPerSecond)]
                        + (l.goodput.map { [("goodput_requests_per_s", $0)] } ?? [])
                        + [("preemptions", Double(l.preemptions)), ("rejected", Double(l.rejected))]
                } ?? []
            ).json() + "\n"
        case .table, .csv, .markdown, .html:
            let table = TrainingReport.table(
                id: prediction.id,
                metrics: prediction.metrics,
                estimate: prediction.training,
                notes: prediction.notes,
                economics: prediction.economics,
                servingStep: prediction.servingStep,
                prefillPass: prediction.prefillPass,
                bands: prediction.bands
            )
            switch format {
            case .csv: return table.csv()
            case .markdown: return table.markdown()
            case .html:
                return HTMLReports.prediction(table, estimate: prediction.training, servingStep: prediction.servingStep)
            default: return table.render()
            }
        }
    }
}

extension Run {
    /// `LOW:HIGH:STEPS` as that many evenly spaced rates.
    static func rates(_ text: String) throws -> [Double] {
        let parts = text.split(separator: ":").map(String.init)
        guard parts.count == 3, let low = Double(parts[0]), let high = Double(parts[1]), let steps = Int(parts[2]),
            low > 0, high >= low, high <= 1e6, (1...200).contains(steps)
        else {
            throw ValidationError(
                "--sweep-rate '\(text)': expected LOW:HIGH:STEPS with 0 < LOW <= HIGH <= 1000000 requests/s and 1 to 200 steps, e.g. 1:20:10."
            )
        }
        guard steps > 1 else { return [low] }
        return (0..<steps).map { low + (high - low) * Double($0) / Double(steps - 1) }
    }

    func renderCurve(_ file: ScenarioFile, rates: [Double], catalog: Catalog) throws -> String {
        let curve: CapacityCurve
        do {
            curve = try file.capacityCurve(rates: rates, catalog: catalog)
        } catch let error as EstimationError {
            throw PredictionError("\(scenario): \(error.message)")
        }
        let p = "p\(formatNumber(curve.percentile, decimals: 0))"
        var table = Table(
            title: "\(file.scenario.id): latency against request rate (Poisson)",
            columns: [
                "rate_per_s", "served_per_s", "goodput_per_s", "ttft_p50_ms", "ttft_p90_ms", "ttft_p99_ms",
                "tpot_p50_ms", "tpot_p99_ms", "objectives_\(p)",
            ],
            alignments: Array(repeating: .right, count: 8) + [.left]
        )
        for point in curve.points {
            let l = point.load
            table.rows.append(
                [
                    formatNumber(point.ratePerSecond, decimals: 2), formatNumber(l.requestsPerSecond, decimals: 2),
                    l.goodput.map { formatNumber($0, decimals: 2) } ?? "-", formatNumber(l.ttft.p50, decimals: 0),
                    formatNumber(l.ttft.p90, decimals: 0), formatNumber(l.ttft.p99, decimals: 0),
                    l.tpot.map { formatNumber($0.p50, decimals: 1) } ?? "-",
                    l.tpot.map { formatNumber($0.p99, decimals: 1) } ?? "-", point.meetsObjectives ? "met" : "missed",
                ]
            )
        }
        table.footnotes.append(
            curve.knee.map { "knee: the objectives break at \(formatNumber($0, decimals: 2)) requests/s (\(p))." }
                ?? "knee: the objectives hold at every rate simulated (\(p))."
        )
        switch format {
        case .json:
            return ReportValue.object([
                .init("id", .string(file.scenario.id)), .init("percentile", .number(curve.percentile)),
                .init("knee_rate_per_s", .optional(curve.knee)),
                .init(
                    "points",
                    .array(
                        curve.points.map { point in
                            .object(
                                [
                                    .init("rate_per_s", .number(point.ratePerSecond)),
                                    .init("served_per_s", .number(point.load.requestsPerSecond)),
                                    .init("goodput_per_s", .optional(point.load.goodput)),
                                    .init("meets_objectives", .bool(point.meetsObjectives)),
                                ]
                                    + point.load.percentiles.map { name, s in
                                        .init(
                                            name,
                                            .object([
                                                .init("mean", .number(s.mean)), .init("p50", .number(s.p50)),
                                                .init("p90", .number(s.p90)), .init("p99", .number(s.p99)),
                                            ])
                                        )
                                    }
                            )
                        }
                    )
                ),
            ]).json() + "\n"
        case .csv: return table.csv()
        case .markdown: return table.markdown()
        case .html:
            let points = curve.points.map { (x: $0.ratePerSecond, y: $0.load.ttft.p90) }
            return HTMLReports.scatter(
                table,
                title: "TTFT p90 against request rate",
                xLabel: "requests per second",
                yLabel: "TTFT p90 (ms)",
                points: points,
                front: points
            )
        case .table: return table.render()
        }
    }
}
